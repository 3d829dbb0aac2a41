"""Answer quality on the bundled help center, against the held-out test questions.

tests/data/sample_questions.jsonl was written apart from the articles and is
never used to tune anything (tuning uses bench/data/sample_dev.jsonl).
"""

import pytest
from sqlalchemy import select

from kbbot import db, evaluation
from kbbot.models import Article
from kbbot.services import get_engine
from conftest import ROOT, SAMPLE_QUESTIONS

SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"


@pytest.fixture(scope="module")
def outcomes(sample_app):
    questions = evaluation.read_questions(SAMPLE_QUESTIONS)
    with sample_app.app_context():
        return evaluation.evaluate(get_engine(), db.get_session(), questions)


def misses(outcomes, keep):
    return "\n".join(
        f"{o.action} {o.confidence:.2f} {o.question.query!r} -> {o.ranked_slugs[:3]}, expected {o.question.expected}"
        for o in outcomes
        if keep(o)
    )


def test_every_expected_article_is_published_and_dev_and_test_share_no_question(sample_app):
    with sample_app.app_context():
        published = set(db.get_session().scalars(select(Article.slug).where(Article.status == "published")))
    dev, test = evaluation.read_questions(SAMPLE_DEV), evaluation.read_questions(SAMPLE_QUESTIONS)
    assert {slug for question in dev + test for slug in question.expected} <= published

    def normalized(questions):
        return {" ".join(question.query.lower().split()) for question in questions}

    assert not normalized(dev) & normalized(test)


def test_the_test_set_is_big_enough(outcomes):
    report = evaluation.report(outcomes)
    assert report.covered >= 40 and report.uncovered >= 15


# Known shortfall, measured 2026-12-01: 56 of 63 (0.889). The method was chosen on
# the dev set (0.934 there); strict, so this fails loudly once the target is met.
@pytest.mark.xfail(strict=True, reason="precision@1 is 0.889 on the test set, target 0.9 (issue 2 stays open)")
def test_precision_at_1_on_covered_questions(outcomes):
    report = evaluation.report(outcomes)
    wrong = misses(outcomes, lambda o: o.question.expected and o.ranked_slugs[:1] != o.question.expected[:1])
    assert report.precision_at_1 >= 0.9, wrong


# Known shortfall, measured 2026-12-01: 56 of 63 (0.889) with the thresholds chosen on the
# dev set (0.926 there); 0.905 with the earlier thresholds, which handed off only 0.773 of
# the uncovered questions. Strict, so this fails loudly once the target is met.
@pytest.mark.xfail(strict=True, reason="answer rate on covered test questions is 0.889, target 0.9 (issue 2 stays open)")
def test_covered_questions_are_answered(outcomes):
    report = evaluation.report(outcomes)
    unanswered = misses(outcomes, lambda o: o.question.expected and o.action != "answer")
    assert report.answer_rate_covered >= 0.9, unanswered


def test_uncovered_questions_are_handed_off(outcomes):
    report = evaluation.report(outcomes)
    kept = misses(outcomes, lambda o: not o.question.expected and o.action != "handoff")
    assert report.handoff_rate_uncovered >= 0.8, kept
