import numpy as np
import pytest

from kbbot.search import confidence
from kbbot.search.lexical import LexicalIndex, error_codes, with_code_terms
from kbbot.search.retrieval import ArticleHit, EntryInfo, answer_passages, fuse, passage_scores


def test_error_codes_also_become_one_term():
    assert with_code_terms("see SYNC-422 now") == "see SYNC-422 SYNC422 now"
    assert with_code_terms("no code here") == "no code here"


def test_error_codes_are_found_whatever_their_case():
    assert error_codes("sync-422 and LDG-1042, not 2024-11 or covid-19x") == {"SYNC422", "LDG1042"}
    lexical = LexicalIndex([1, 2], ["SYNC-504 timed out", "Codes: SYNC-422 tax rate not mapped"])
    assert lexical.code_matches("what does sync-422 mean").tolist() == [False, True]
    assert lexical.code_matches("my sync failed").tolist() == [False, False]


def test_bm25_prefers_the_exact_error_code():
    lexical = LexicalIndex(
        [1, 2],
        ["SYNC-504 sync timeout: the sync to your accounting software timed out, sync again",
         "Error codes: SYNC-422 tax rate not mapped, EML-552 bounced"],
    )
    scores = lexical.scores(lexical.query_terms("what does SYNC-422 mean"))
    assert scores[1] > scores[0]
    assert "sync422" in lexical.vocabulary


def test_bm25_scores_zero_when_no_term_matches():
    lexical = LexicalIndex([1], ["refunds and invoices"])
    assert lexical.scores(lexical.query_terms("banana bread")).tolist() == [0.0]
    assert LexicalIndex([], []).scores(["anything"]).tolist() == []
    # A knowledge base whose only article is titled in stop words ("Who are we?") has no term to index.
    assert LexicalIndex([7], ["Who are we?"]).scores(["refund"]).tolist() == [0.0]


ENTRIES = {
    10: EntryInfo(1, "title", "Refunds"),
    11: EntryInfo(1, "passage", "How refunds work"),
    20: EntryInfo(2, "title", "Invoices"),
}


def test_fuse_groups_entries_by_article_and_adds_the_evidence():
    hits = fuse(
        dense_ids=np.array([11, 20, 10]),
        dense_scores=np.array([0.8, 0.6, 0.5]),
        centroid_scores=np.array([0.7, 0.5]),
        lexical_scores=np.array([2.0, 0.0]),
        article_ids=np.array([1, 2]),
        entries=ENTRIES,
    )
    assert [hit.article_id for hit in hits] == [1, 2]
    assert hits[0].dense_max == pytest.approx(0.8)
    assert hits[0].best_entry_id == 11
    assert hits[0].score > hits[1].score


def test_fuse_lets_bm25_bring_in_an_article_dense_retrieval_missed():
    hits = fuse(
        dense_ids=np.array([10]),
        dense_scores=np.array([0.4]),
        centroid_scores=np.array([0.3, 0.1]),
        lexical_scores=np.array([0.0, 9.0]),
        article_ids=np.array([1, 2]),
        entries=ENTRIES,
    )
    missed = next(hit for hit in hits if hit.article_id == 2)
    assert missed.best_entry_id is None
    assert missed.dense_max == pytest.approx(0.4)  # bounded by the last similarity retrieved


def test_an_article_with_the_error_code_asked_about_ranks_first_and_the_margin_stays_a_score_gap():
    scores = dict(dense_ids=np.array([20, 10]), dense_scores=np.array([0.9, 0.7]),
                  centroid_scores=np.array([0.5, 0.6]), lexical_scores=np.array([1.0, 0.5]),
                  article_ids=np.array([1, 2]), entries=ENTRIES)  # fmt: skip
    assert [hit.article_id for hit in fuse(**scores)] == [2, 1]
    hits = fuse(**scores, code_matches=np.array([True, False]))
    assert [hit.article_id for hit in hits] == [1, 2] and hits[0].score < hits[1].score
    assert [hit.names_code for hit in hits] == [True, False]
    assert confidence.evidence(hits, ["x"], frozenset()).names_code == 1.0
    assert confidence.evidence(hits, ["x"], frozenset()).margin == pytest.approx(hits[1].score - hits[0].score)


def test_passage_scores_are_the_cosine_when_no_word_of_the_question_occurs():
    query = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.0, 1.0], [0.8, 0.6]], dtype=np.float32)
    assert passage_scores(query, vectors, [0.0, 0.0]) == pytest.approx([0.0, 0.8])
    assert len(passage_scores(query, np.zeros((0, 2), dtype=np.float32), [])) == 0


def test_the_words_asked_for_decide_between_close_passages_but_not_far_ones():
    query = np.array([1.0, 0.0], dtype=np.float32)
    close = np.array([[0.96, 0.28], [0.92, 0.39]], dtype=np.float32)  # cosines 0.96 and 0.92
    assert np.argmax(passage_scores(query, close, [0.5, 9.0])) == 1  # relative BM25 0.06 and 1.0
    far = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float32)  # cosines 1.0 and 0.6
    assert np.argmax(passage_scores(query, far, [0.5, 9.0])) == 0


def test_the_runner_up_passage_answers_too_only_when_it_scores_close_to_the_best():
    assert answer_passages([0.5, 0.9, 0.85]) == [1, 2]
    assert answer_passages([0.5, 0.9, 0.7]) == [1]
    assert answer_passages([0.4]) == [0]


def test_confidence_is_a_probability_that_grows_with_the_evidence():
    weak = confidence.Evidence(dense_max=0.2, margin=0.0, known_share=0.3, names_code=0.0)
    strong = confidence.Evidence(dense_max=0.8, margin=0.4, known_share=1.0, names_code=0.0)
    assert 0.0 <= confidence.confidence(weak) < confidence.confidence(strong) <= 1.0
    coded = confidence.Evidence(dense_max=0.2, margin=0.0, known_share=0.3, names_code=1.0)
    assert confidence.confidence(coded) > confidence.confidence(weak)
    assert confidence.confidence(None) == 0.0


def test_decide_answers_only_when_sure_of_the_article_and_of_its_section():
    thresholds = confidence.Thresholds(answer=0.8, section=0.9, suggest=0.4)
    assert confidence.decide(0.85, 0.95, thresholds) == "answer"
    assert confidence.decide(0.85, 0.6, thresholds) == "suggest"  # which of its sections?
    assert confidence.decide(0.5, 0.99, thresholds) == "suggest"  # which article?
    assert confidence.decide(0.1, 0.99, thresholds) == "handoff"


def test_evidence_measures_the_share_of_known_terms():
    hits = fuse(np.array([10]), np.array([0.9]), np.array([0.5, 0.1]), np.array([1.0, 0.0]), np.array([1, 2]), ENTRIES)
    found = confidence.evidence(hits, ["refund", "hubspot"], frozenset({"refund", "invoic"}))
    assert found.known_share == pytest.approx(0.5)
    assert found.margin == pytest.approx(hits[0].score - hits[1].score)
    assert found.names_code == 0.0
    assert confidence.evidence([], [], frozenset()) is None


def test_each_hit_has_its_own_confidence_and_one_far_behind_the_best_a_low_one():
    hits = [ArticleHit(1, 1.8, 0.8, 0.7, 3.0, None), ArticleHit(2, 1.7, 0.7, 0.7, 2.0, None),
            ArticleHit(3, 0.9, 0.5, 0.4, 0.0, None)]  # fmt: skip
    known = frozenset({"refund"})
    best, close, far = confidence.hit_confidences(hits, ["refund"], known)
    assert best == pytest.approx(confidence.confidence(confidence.evidence(hits, ["refund"], known)))
    assert best > close > 0.5 > far
    assert max(confidence.hit_confidences(hits, ["hubspot"], known)) < 0.5  # no word of it in the articles
    assert confidence.hit_confidences([], [], known) == []
