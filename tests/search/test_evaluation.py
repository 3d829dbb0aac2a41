import json

import pytest

from kbbot.errors import KbbotError
from kbbot.search import evaluation


def outcome(query, expected, ranked, action, confidence, answer=(), answer_text=""):
    question = evaluation.LabelledQuestion(query, tuple(expected), tuple(answer))
    return evaluation.Outcome(question, tuple(ranked), action, confidence, latency_ms=10.0, answer_text=answer_text)


def test_ranking_metrics():
    assert evaluation.reciprocal_rank(["a", "b", "c"], ("b",)) == 0.5
    assert evaluation.reciprocal_rank(["a"] * 11 + ["b"], ("b",)) == 0.0  # beyond the cut-off
    assert evaluation.recall_at(["a", "b", "c", "d", "e", "f"], ("f", "b"), k=5) == 0.5


def test_auroc_counts_ties_half_and_is_undefined_without_both_classes():
    assert evaluation.auroc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert evaluation.auroc([0.5], [0.5]) == 0.5
    assert evaluation.auroc([0.1], [0.9]) == 0.0
    assert evaluation.auroc([0.5], []) != evaluation.auroc([0.5], [])  # nan


def test_report_separates_covered_and_uncovered_questions():
    report = evaluation.report([
        outcome("q1", ["a"], ["a", "b"], "answer", 0.9),
        outcome("q2", ["b"], ["a", "b"], "suggest", 0.6),
        outcome("q3", [], ["a"], "handoff", 0.2),
        outcome("q4", [], ["b"], "answer", 0.7),
    ])
    assert (report.covered, report.uncovered) == (2, 2)
    assert report.precision_at_1 == 0.5
    assert report.mrr_at_10 == 0.75
    assert report.answer_rate_covered == 0.5
    assert report.handoff_rate_uncovered == 0.5
    assert report.auroc == 0.75
    assert report.latency_p50_ms == 10.0
    assert report.as_dict()["answers_with_the_fact"] is None  # no question labels its answer phrases


def test_answers_with_the_fact_counts_answered_questions_whose_text_shows_a_phrase():
    report = evaluation.report([
        outcome("yearly pro?", ["pricing"], ["pricing"], "answer", 0.9, ["Pro: $290 / year"],
                "Annual billing; Free: $0; Pro:  $290 / YEAR; Business: $590 / year."),
        outcome("extra user?", ["pricing"], ["pricing"], "answer", 0.9, ["$8 per month", "$8 / user"],
                "Annual billing; Pro: $290 / year."),
        outcome("refund?", ["refunds"], ["refunds"], "suggest", 0.5, ["within 14 days"]),  # not answered
        outcome("login?", ["login"], ["login"], "answer", 0.9),  # no phrases: not measured
    ])
    assert report.answers_with_the_fact == 0.5


def test_shows_the_fact_ignores_case_spacing_and_formatting_but_not_words():
    assert evaluation.shows_the_fact("Click  **Settings\n→ Billing**.", ["click settings → billing"])
    assert not evaluation.shows_the_fact("Click Settings → Team.", ["Settings → Billing"])


def test_shows_the_fact_reads_a_table_row_under_its_header_as_the_index_does():
    table = "**Prices**\n\n| | Pro |\n|---|---|\n| **Monthly** | $29 |\n| **Annual** | $290 |"
    assert evaluation.shows_the_fact(table, ["Annual; Pro: $290"])
    assert not evaluation.shows_the_fact(table, ["Monthly; Pro: $290"])


def test_read_questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"query": "refund?", "expected": ["refunds"], "answer": ["within 14 days"]})
                    + "\n\n" + json.dumps({"query": "weather", "expected": []}) + "\n")
    assert evaluation.read_questions(path) == [
        evaluation.LabelledQuestion("refund?", ("refunds",), ("within 14 days",)),
        evaluation.LabelledQuestion("weather", ()),
    ]


@pytest.mark.parametrize("line", ['{"query": "x"}', "not json", '{"query": "", "expected": []}',
                                  '{"query": "x", "expected": "slug"}', '["query", "expected"]',
                                  '{"query": "x", "expected": ["a"], "answer": "phrase"}',
                                  '{"query": "x", "expected": ["a"], "answer": [" "]}',
                                  '{"query": "x", "expected": [], "answer": ["phrase"]}'])
def test_read_questions_names_the_bad_line(tmp_path, line):
    path = tmp_path / "q.jsonl"
    path.write_text('{"query": "fine", "expected": []}\n' + line + "\n")
    with pytest.raises(KbbotError, match="line 2"):
        evaluation.read_questions(path)
