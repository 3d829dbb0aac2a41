"""Sections of an article as the unit of an answer, and the intent words that tell siblings apart."""

import numpy as np
import pytest

from kbbot.search import intents, sections

BODY = """Two-factor authentication adds a code to your password.

## Turn on 2FA

1. Go to **Settings → Security**.
2. Click **Enable** and scan the QR code.
3. Enter the 6-digit code.

## Turn off 2FA

Click **Disable**. You need a current code.

### If you lost your phone

Use a backup code.

## Prices

| | Free | Pro |
|---|---|---|
| **Monthly** | $0 | $29 |
| **Annual** | $0 | $290 |
| **Users** | 1 | 3 |
| **Storage** | 1 GB | 10 GB |
| **Support** | Email | Chat |
| **Exports** | CSV | CSV, Excel |
| **API** | No | Yes |
"""


@pytest.fixture(scope="module")
def outline():
    return sections.outline(BODY)


def position(outline, heading):
    return next(i for i, section in enumerate(outline.sections) if section.heading == heading)


def test_an_article_is_cut_into_its_introduction_and_one_section_per_heading(outline):
    assert [s.heading_path for s in outline.sections] == [
        (), ("Turn on 2FA",), ("Turn off 2FA",), ("Turn off 2FA", "If you lost your phone"), ("Prices",),
    ]  # fmt: skip
    assert [s.anchor for s in outline.sections][:3] == ["", "section-turn-on-2fa", "section-turn-off-2fa"]


def test_a_section_is_quoted_whole_under_its_heading_path(outline):
    at = position(outline, "If you lost your phone")
    quoted = sections.quote(outline, at, np.zeros(len(outline.passages)))
    assert quoted == "**Turn off 2FA › If you lost your phone**\n\nUse a backup code."
    steps = sections.quote(outline, position(outline, "Turn on 2FA"), np.zeros(len(outline.passages)))
    assert steps.splitlines()[2:] == [
        "1. Go to **Settings → Security**.", "2. Click **Enable** and scan the QR code.", "3. Enter the 6-digit code.",
    ]  # fmt: skip


def test_a_long_table_is_quoted_by_the_rows_asked_about_under_its_header(outline):
    at = position(outline, "Prices")
    quoted = sections.quote(outline, at, np.zeros(len(outline.passages)), frozenset({"annual"}))
    assert quoted.splitlines()[2:] == ["| | Free | Pro |", "|---|---|---|", "| **Annual** | $0 | $290 |"]


def test_a_sure_section_is_answered_alone():
    assert sections.answer_span(np.array([0.05, 0.92, 0.03]), [10, 40, 40], 0.9) == (
        (1,),
        pytest.approx(0.92),
    )


def test_two_neighbours_are_answered_together_when_only_together_they_are_sure():
    span, probability = sections.answer_span(np.array([0.05, 0.5, 0.42, 0.03]), [10, 40, 40, 40], 0.9)
    assert span == (1, 2) and probability == pytest.approx(0.92)


@pytest.mark.parametrize(
    "probabilities, words",
    [
        ([0.5, 0.05, 0.42, 0.03], [40, 10, 40, 40]),  # the two likeliest are not neighbours
        ([0.05, 0.5, 0.42, 0.03], [10, 200, 100, 40]),  # together too long to read as one answer
        ([0.15, 0.5, 0.3, 0.05], [10, 40, 40, 40]),  # not sure even together
    ],
)
def test_otherwise_the_likeliest_section_stands_alone(probabilities, words):
    span, probability = sections.answer_span(np.array(probabilities), words, 0.9)
    assert span == (int(np.argmax(probabilities)),) and probability == max(probabilities)


def test_article_choices_are_a_card_per_article_with_its_likeliest_section():
    assert sections.article_choices([[4, 1, 0], [2, 0], [0]], 3) == [(0, 4), (1, 2), (2, 0)]
    assert sections.article_choices([[], [3, 1], [0]], 3) == [(0, None), (1, 3), (2, 0)]
    assert sections.article_choices([[4, 1, 0], [2, 0], [0], [1]], 3) == [(0, 4), (1, 2), (2, 0)]


def test_with_fewer_articles_than_choices_the_first_article_s_next_sections_follow_its_card():
    assert sections.article_choices([[4, 1, 0], [2, 0]], 3) == [(0, 4), (0, 1), (1, 2)]
    assert sections.article_choices([[4, 1, 0]], 3) == [(0, 4), (0, 1), (0, 0)]
    assert sections.article_choices([[]], 3) == [(0, None)]


@pytest.mark.parametrize(
    "question, heading, agreement",
    [
        ("how do I turn on two-factor authentication", "Turn on 2FA", 1.0),
        ("how do I turn on two-factor authentication", "Turn off 2FA", -1.0),
        ("i cant remember my password", "If you can't sign in", 1.0),
        ("i cant remember my password", "If you're already signed in", -1.0),
        ("EML-552 what do i do", "How to fix it", 1.0),
        ("EML-552 what do i do", "Why emails bounce", -1.0),
        ("how much is Pro", "Turn off 2FA", 0.0),
    ],
)
def test_intent_words_tell_sibling_sections_apart(question, heading, agreement):
    assert intents.agreement(intents.intents(question), intents.intents(heading)) == agreement
