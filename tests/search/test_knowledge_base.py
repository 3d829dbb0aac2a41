"""A refresh updates the knowledge base for the articles that changed, and the result is the one a
build of every article gives."""

import bm25s
import numpy as np
import pytest
import Stemmer

from kbbot.articles.sync import sync_directory
from kbbot.search import evaluation, sections
from kbbot.search.index import MANIFEST_NAME
from kbbot.search.knowledge_base import KnowledgeBase, heading_texts, published_articles
from kbbot.search.lexical import LexicalIndex, with_code_terms
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import SAMPLE_ARTICLES, SAMPLE_QUESTIONS, build_sample_app, make_app, write_article

QUERIES = [question.query for question in evaluation.read_questions(SAMPLE_QUESTIONS)][:20]


@pytest.fixture
def sample_copy(tmp_path):
    return build_sample_app(tmp_path)


def edit_sample(directory):
    """One article edited, one added, one removed (so unpublished), as an editor's sync would."""
    refunds = directory / "billing-and-plans" / "refund-policy.md"
    refunds.write_text(
        refunds.read_text().replace("30 days", "45 days") + "\n\nRefunds of SYNC-999 charges.\n"
    )
    write_article(
        directory,
        "billing-and-plans/gift-cards.md",
        "## Buying\n\nGift cards never expire.",
        title="Gift cards",
        questions=["can I give Ledgerly as a present"],
    )
    next(directory.glob("integrations/*.md")).unlink()


def assert_same(incremental, fresh):
    assert list(incremental.articles.items()) == list(fresh.articles.items())
    assert incremental.entries == fresh.entries
    assert incremental.versions == fresh.versions
    assert incremental.words == fresh.words
    assert incremental.passage_rows == fresh.passage_rows
    assert np.array_equal(incremental.article_ids, fresh.article_ids)
    assert np.array_equal(incremental.centroids, fresh.centroids)
    assert incremental.headings.keys() == fresh.headings.keys()
    for article_id, vectors in incremental.headings.items():
        assert np.allclose(vectors, fresh.headings[article_id], atol=1e-6)
    for index in ("lexical", "passage_lexical"):
        ours, theirs = getattr(incremental, index), getattr(fresh, index)
        assert np.array_equal(ours.ids, theirs.ids) and ours.vocabulary == theirs.vocabulary
        for query in [*QUERIES, "what does SYNC-999 mean"]:
            terms = ours.query_terms(query)
            assert np.array_equal(ours.scores(terms), theirs.scores(terms)), query
            assert np.array_equal(ours.code_matches(query), theirs.code_matches(query))


def test_an_incremental_refresh_equals_a_build_of_every_article(sample_copy, tmp_path):
    with sample_copy.app_context():
        session, engine = get_session(), get_engine()
        engine.ensure_current(session)
        edit_sample(tmp_path / "articles")
        report = sync_directory(session, tmp_path / "articles", sample_copy.config["MAX_ARTICLE_BYTES"])
        assert (len(report.updated), len(report.created), len(report.unpublished)) == (1, 1, 1)
        engine.ensure_current(session)
        incremental = engine._knowledge
        published = published_articles(session)
        fresh = KnowledgeBase.empty(engine.encoder.dimension).updated(
            incremental.dense,
            published,
            engine._heading_vectors(session, published),
            set(),
            correct_spelling=True,
        )
    assert_same(incremental, fresh)
    assert incremental.lexical.code_matches("SYNC-999").sum() == 1


def test_heading_texts_name_the_sections_the_outline_cuts(sample_copy):
    with sample_copy.app_context():
        get_engine().ensure_current(get_session())
        knowledge = get_engine()._knowledge
    for info in knowledge.articles.values():
        outline = sections.outline(info.body)
        expected = [" > ".join((info.title, *section.heading_path)) for section in outline.sections]
        assert heading_texts(info, knowledge.entries) == expected, info.slug
        assert knowledge.headings[info.id].shape == (len(expected), knowledge.centroids.shape[1])


def test_a_new_worker_embeds_no_heading_the_indexing_embedded(sample_copy, tmp_path):
    with sample_copy.app_context():
        get_engine().ensure_current(get_session())  # indexing, as `kbbot index` does
    other = make_app(tmp_path)  # a worker starting on that index and database
    with other.app_context():
        engine, session = get_engine(), get_session()
        embedded = []
        encode = engine.encoder.encode
        engine.encoder.encode = lambda texts, **options: (
            embedded.append(list(texts)) or encode(texts, **options)
        )
        answer = engine.ask(session, "how do I turn off two-factor authentication")
    assert answer.sources[0].slug == "set-up-two-factor-authentication" and answer.section_confidence > 0
    assert embedded == [["how do i turn off two-factor authentication"]]  # the question alone


def test_lexical_scores_equal_bm25s_scores():
    """The weights of retrieval.py were chosen on bm25s's scores: the incremental index gives the same."""
    texts = [path.read_text() for path in sorted(SAMPLE_ARTICLES.glob("*/*.md"))]
    ours = LexicalIndex(range(len(texts)), texts)
    stemmer = Stemmer.Stemmer("english")
    reference = bm25s.BM25()
    reference.index(
        bm25s.tokenize(
            [with_code_terms(t) for t in texts], stopwords="en", stemmer=stemmer, show_progress=False
        ),
        show_progress=False,
    )
    for query in QUERIES:
        terms = ours.query_terms(query)
        if terms:
            assert np.array_equal(ours.scores(terms), reference.get_scores(terms).astype(np.float32)), query


def test_a_worker_catching_up_does_not_write_the_index_the_publisher_saved(sample_copy, tmp_path):
    other = make_app(tmp_path)  # a second worker on the same database and index directory
    with other.app_context():
        get_engine().ensure_current(get_session())
    with sample_copy.app_context():
        get_engine().ensure_current(get_session())
        edit_sample(tmp_path / "articles")
        sync_directory(get_session(), tmp_path / "articles", sample_copy.config["MAX_ARTICLE_BYTES"])
        get_engine().ensure_current(get_session())  # the publisher saves the new generation
    saved = (tmp_path / "index" / MANIFEST_NAME).read_bytes()
    with other.app_context():
        get_engine().ensure_current(get_session())
        assert (
            get_engine().ask(get_session(), "can I give Ledgerly as a present").sources[0].slug
            == "gift-cards"
        )
    assert (tmp_path / "index" / MANIFEST_NAME).read_bytes() == saved
