import json

import pytest

from kbbot import evaluation
from kbbot.errors import KbbotError


def outcome(query, expected, ranked, action, confidence):
    question = evaluation.LabelledQuestion(query, tuple(expected))
    return evaluation.Outcome(question, tuple(ranked), action, confidence, latency_ms=10.0)


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


def test_read_questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"query": "refund?", "expected": ["refunds"]}) + "\n\n"
                    + json.dumps({"query": "weather", "expected": []}) + "\n")
    assert evaluation.read_questions(path) == [
        evaluation.LabelledQuestion("refund?", ("refunds",)),
        evaluation.LabelledQuestion("weather", ()),
    ]


@pytest.mark.parametrize("line", ['{"query": "x"}', "not json", '{"query": "", "expected": []}',
                                  '{"query": "x", "expected": "slug"}'])
def test_read_questions_names_the_bad_line(tmp_path, line):
    path = tmp_path / "q.jsonl"
    path.write_text('{"query": "fine", "expected": []}\n' + line + "\n")
    with pytest.raises(KbbotError, match="line 2"):
        evaluation.read_questions(path)
