"""Answer quality on the bundled help center, against the held-out test questions.

tests/data/sample_questions.jsonl was written apart from the articles and is
never used to tune anything (tuning uses bench/data/sample_dev.jsonl).
"""

import itertools

import pytest
from sqlalchemy import select

from kbbot.models import Article
from kbbot.search import evaluation, sections
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import ROOT, SAMPLE_QUESTIONS

SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"
SAMPLE_BLIND = ROOT / "tests" / "data" / "sample_questions_blind.jsonl"  # reported in docs/benchmarks.md


@pytest.fixture(scope="module")
def outcomes(sample_app):
    questions = evaluation.read_questions(SAMPLE_QUESTIONS)
    with sample_app.app_context():
        return evaluation.evaluate(get_engine(), get_session(), questions)


def misses(outcomes, keep):
    return "\n".join(
        f"{o.action} {o.confidence:.2f} {o.question.query!r} -> {o.ranked_slugs[:3]}, expected {o.question.expected}"
        for o in outcomes
        if keep(o)
    )


def ranks_an_expected_article_first(outcome):
    return bool(outcome.ranked_slugs) and outcome.ranked_slugs[0] in outcome.question.expected


def test_every_expected_article_is_published_and_no_two_sets_share_a_question(sample_app):
    with sample_app.app_context():
        published = set(get_session().scalars(select(Article.slug).where(Article.status == "published")))
    sets = [evaluation.read_questions(path) for path in (SAMPLE_DEV, SAMPLE_QUESTIONS, SAMPLE_BLIND)]
    assert {slug for questions in sets for question in questions for slug in question.expected} <= published

    def normalized(questions):
        return {" ".join(question.query.lower().split()) for question in questions}

    for first, second in itertools.combinations(sets, 2):
        assert not normalized(first) & normalized(second)


def test_every_answer_phrase_is_in_an_expected_article(sample_app):
    """The phrases that say whether an answer shows the fact are copied from the articles' text."""
    with sample_app.app_context():
        session = get_session()
        articles = session.scalars(select(Article).where(Article.status == "published")).all()
        texts = {
            a.slug: [chunk.text for chunk in a.chunks if chunk.kind in ("title", "passage")] for a in articles
        }
    for path in (SAMPLE_DEV, SAMPLE_QUESTIONS):
        labelled = [question for question in evaluation.read_questions(path) if question.answer]
        assert len(labelled) == len(
            [question for question in evaluation.read_questions(path) if question.expected]
        )
        for question in labelled:
            for phrase in question.answer:
                assert any(
                    evaluation.shows_the_fact(text, [phrase])
                    for slug in question.expected
                    for text in texts[slug]
                ), f"{path.name}: {phrase!r} is in no text of {question.expected}"


def test_every_labelled_section_is_a_section_of_the_article_that_holds_an_answer_phrase(sample_app):
    """The `section` labels name real sections of the first expected article, and one of them
    holds an answer phrase, so section accuracy and "resolved" measure what they claim."""
    with sample_app.app_context():
        articles = get_session().scalars(select(Article).where(Article.status == "published")).all()
        outlines = {a.slug: (a.title, sections.outline(a.body)) for a in articles}
    for path in (SAMPLE_DEV, SAMPLE_QUESTIONS, SAMPLE_BLIND):
        covered = [question for question in evaluation.read_questions(path) if question.expected]
        assert all(question.sections for question in covered), f"{path.name}: a covered question has no section"
        for question in covered:
            title, outline = outlines[question.expected[0]]
            texts = {"": [title]} if not outline.sections else {}  # a title that states the answer
            for section in outline.sections:
                passages = outline.passages[section.first : section.last + 1]
                texts.setdefault(section.heading, []).extend(p.text for p in passages)
            unknown = set(question.sections) - set(texts)
            assert not unknown, f"{path.name}: {question.query!r}: {question.expected[0]} has no section {unknown}"
            labelled = [text for heading in question.sections for text in texts[heading]]
            assert any(evaluation.shows_the_fact(text, question.answer) for text in labelled), (
                f"{path.name}: {question.query!r}: no answer phrase in {question.sections}"
            )


def test_the_test_set_is_big_enough(outcomes):
    report = evaluation.report(outcomes)
    assert report.covered >= 40 and report.uncovered >= 15


# Known shortfall: 56 of 63 (0.889) from 2026-12-01, 55 of 63 (0.873) since 2026-12-06, when
# questions began to be searched without trailing punctuation, capitals or extra spaces (issue 18);
# 40 of 45 (0.889) on the blind set. The method was chosen on the dev set; no ranking method or model
# obtainable here did better (docs/calibration.md), so issue 2 is blocked on this point. Strict, so
# this fails loudly once the target is met.
@pytest.mark.xfail(
    strict=True, reason="precision@1 is 0.873 on the test set, target 0.9 (issue 2 is blocked on it)"
)
def test_precision_at_1_on_covered_questions(outcomes):
    report = evaluation.report(outcomes)
    wrong = misses(outcomes, lambda o: o.question.expected and not ranks_an_expected_article_first(o))
    assert report.precision_at_1 >= 0.9, wrong


# Issue 18's targets, on both held-out sets; thresholds and models were chosen on the dev set only
# (bench/calibrate.py, docs/calibration.md).
@pytest.fixture(scope="module", params=[SAMPLE_QUESTIONS, SAMPLE_BLIND], ids=["test", "blind"])
def held_out(request, sample_app):
    with sample_app.app_context():
        return evaluation.evaluate(get_engine(), get_session(), evaluation.read_questions(request.param))


# Known shortfalls, measured on 2026-12-07 after choosing everything on dev (dev, cross-validated:
# 0.971 with the fact, 0.048 wrong, 0.837 resolved). The sets are small: 19 answers on the test set,
# so one answer is 5 points. Strict: each fails loudly once its target is met.
SHORTFALLS = {
    ("test", "answers_with_the_fact"): "0.895 (17 of 19)",
    ("test", "wrong_answers"): "0.105 (2 of 19)",
    ("blind", "wrong_answers"): "0.071 (1 of 14)",
    ("test", "resolved_covered"): "0.730; the right section is often not among the 3 choices",
    ("blind", "resolved_covered"): "0.778",
}


def expect_target(request, figure):
    held_out_set = request.node.callspec.id
    if (held_out_set, figure) in SHORTFALLS:
        reason = f"issue 18: {figure} on the {held_out_set} set is {SHORTFALLS[held_out_set, figure]}"
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def test_answers_show_the_fact(request, held_out):
    expect_target(request, "answers_with_the_fact")
    report = evaluation.report(held_out)
    lacking = misses(
        held_out, lambda o: o.action == "answer" and o.question.answer and not o.shows_the_fact()
    )
    assert report.answers_with_the_fact >= 0.9, lacking


def test_few_answers_are_wrong(request, held_out):
    expect_target(request, "wrong_answers")
    report = evaluation.report(held_out)
    assert report.wrong_answers <= 0.05, misses(held_out, lambda o: o.is_wrong_answer())


def test_uncovered_questions_are_not_answered(request, held_out):
    expect_target(request, "uncovered_answered")
    report = evaluation.report(held_out)
    answered = misses(held_out, lambda o: not o.question.expected and o.action == "answer")
    assert report.uncovered_answered <= 0.1, answered


def test_covered_questions_are_resolved(request, held_out):
    """Answered with the fact, or offered the right section among the choices."""
    expect_target(request, "resolved_covered")
    report = evaluation.report(held_out)
    unresolved = misses(held_out, lambda o: o.question.expected and not o.is_resolved())
    assert report.resolved_covered >= 0.95, unresolved
