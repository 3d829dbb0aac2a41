"""What a customer reads on the bundled help center: the section that answers, two confidences,
honest choices, and no answer to what the help center does not cover (issue 18)."""

import random

import pytest
from sqlalchemy import select

from kbbot.models import Event
from kbbot.search import evaluation
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import ROOT

SAMPLE_DEV = ROOT / "bench" / "data" / "sample_dev.jsonl"


@pytest.fixture(scope="module")
def ask(sample_app):
    def ask(question, **options):
        with sample_app.app_context():
            return get_engine().ask(get_session(), question, **options)

    return ask


@pytest.fixture
def sample_client(sample_app):
    return sample_app.test_client()


@pytest.fixture
def chat(sample_client):
    def chat(**body):
        return sample_client.post("/api/v1/chat", json=body)

    return chat


@pytest.mark.parametrize(
    "question, slug, section",
    [
        ("i cant remember my password, how do i get back into my account", "reset-your-password", "If you can't sign in"),
        ("how do I turn on two-factor authentication", "set-up-two-factor-authentication", "Turn on 2FA"),
        ("how do i switch off 2fa", "set-up-two-factor-authentication", "Turn off 2FA"),
        ("my invoice email bounced with EML-552 what do i do", "eml-552-invoice-email-bounced", "How to fix it"),
    ],
)  # fmt: skip
def test_the_question_s_intent_words_pick_the_section(ask, question, slug, section):
    """Answered from that section, or, when not sure enough of it, offered it first."""
    answer = ask(question)
    assert answer.sources[0].slug == slug and answer.section == section
    assert 0.0 <= answer.section_confidence <= 1.0 and 0.0 <= answer.confidence <= 1.0
    if answer.action == "answer":
        assert answer.answer.splitlines()[0].endswith(f"{section}**")
    else:
        assert answer.action == "suggest" and answer.choices[0].section == section


@pytest.mark.parametrize(
    "question, section",
    [
        ("I forgot my password and cannot sign in", "If you can't sign in"),
        ("how do i switch off 2fa", "Turn off 2FA"),
        ("my invoice email bounced with EML-552 what do i do", "How to fix it"),
    ],
)
def test_a_sure_answer_quotes_its_section_under_its_heading(sample_app, ask, question, section):
    answer = ask(question)
    assert answer.action == "answer"
    assert answer.section_confidence >= sample_app.config["SECTION_THRESHOLD"]
    assert answer.answer.splitlines()[0].endswith(f"{section}**")


def test_the_forgotten_password_answer_quotes_the_whole_list_of_steps(ask):
    answer = ask("I forgot my password and cannot sign in")
    assert answer.section == "If you can't sign in"
    steps = [line for line in answer.answer.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(steps) >= 3  # a whole numbered list, never the first sentence of it
    assert "If you're already signed in" not in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "can i run payroll for my employees in ledgerly",
        "does ledgerly integrate with salesforce",
        "does ledgerly integrate with salesforce?",
    ],
)
def test_a_question_the_help_center_never_covers_is_not_answered(ask, question):
    assert ask(question).action != "answer"


# The ways customers type the same question: with or without a question mark, in capitals, spaced out.
MANGLINGS = (
    lambda q: q.rstrip("?") + "?",
    lambda q: q.rstrip("?.!"),
    lambda q: q.upper(),
    lambda q: "  " + "   ".join(q.split()) + " ",
    lambda q: q.rstrip("?") + " ?!",
)


def test_every_dev_question_is_searched_the_same_however_it_is_typed(sample_app):
    """The engine decides from the question's searched form alone (the answer cache is keyed by it):
    every mangling of every dev question has the same one."""
    with sample_app.app_context():
        engine = get_engine()
        differing = [
            (question.query, mangle(question.query))
            for question in evaluation.read_questions(SAMPLE_DEV)
            for mangle in MANGLINGS
            if engine.searched_form(mangle(question.query)) != engine.searched_form(question.query)
        ]
    assert not differing


def test_decisions_do_not_turn_on_punctuation_case_or_spaces(ask):
    """Over a quarter of the dev questions, each asked as typed and once more mangled the way customers type."""
    rng = random.Random(18)
    manglings = list(MANGLINGS)
    changed = []
    for question in evaluation.read_questions(SAMPLE_DEV)[::4]:
        typed, mangled = ask(question.query), ask(rng.choice(manglings)(question.query))
        decision = (
            typed.action,
            [s.slug for s in typed.sources],
            typed.section,
            [c.anchor for c in typed.choices],
        )
        other = (
            mangled.action,
            [s.slug for s in mangled.sources],
            mangled.section,
            [c.anchor for c in mangled.choices],
        )
        if decision != other or abs(typed.confidence - mangled.confidence) > 1e-6:
            changed.append((question.query, decision, other))
    assert not changed


def test_unsure_of_the_section_the_bot_offers_the_articles_sections(ask):
    answer = ask("two-factor authentication")
    assert answer.action == "suggest"
    assert len(answer.choices) >= 2 and len({c.slug for c in answer.choices}) == 1
    assert len({c.anchor for c in answer.choices}) == len(answer.choices)
    probabilities = [c.probability for c in answer.choices]
    assert probabilities == sorted(probabilities, reverse=True)


@pytest.mark.parametrize(
    "first, follow_up",
    [
        ("how do i switch off 2fa", "what about for my whole team?"),
        ("how much is an extra user on pro", "and if i pay yearly?"),
    ],
)
def test_a_follow_up_shows_another_part_of_the_article(ask, first, follow_up):
    answered = ask(first)
    assert answered.action == "answer"
    shown = frozenset({(answered.sources[0].slug, answered.anchor)})
    then = ask(follow_up, context=first, shown=shown)
    assert then.sources[0].slug == answered.sources[0].slug  # the same topic...
    assert then.section != answered.section  # ...another part of it
    assert then.action != "answer" or then.answer != answered.answer


def test_a_table_answer_is_a_markdown_table_with_its_header_row(ask):
    answer = ask("annual billing price of each plan")
    assert answer.action == "answer" and answer.section == "Prices at a glance"
    rows = [line for line in answer.answer.splitlines() if line.startswith("|")]
    assert len(rows) >= 3 and set(rows[1].replace("|", "").strip()) <= set("-: ")  # header, delimiter, a row
    assert any("$290 / year" in row for row in rows[2:])
    assert "; " not in "".join(rows)


def test_a_customer_picks_a_choice_and_the_bot_answers_with_that_section(sample_app, sample_client, chat):
    offered = chat(message="two-factor authentication").get_json()
    assert offered["action"] == "suggest" and len(offered["choices"]) >= 2
    assert offered["section_confidence"] is not None
    picked = offered["choices"][1]
    assert (
        picked["url"].endswith("#" + picked["anchor"])
        and "/articles/set-up-two-factor-authentication" in picked["url"]
    )

    reply = chat(
        conversation_id=offered["conversation_id"],
        choice={"slug": picked["slug"], "anchor": picked["anchor"]},
    )
    assert reply.status_code == 200
    answer = reply.get_json()
    assert answer["action"] == "answer" and answer["section"] == picked["section"]
    assert picked["section"] in answer["answer"].splitlines()[0]
    assert answer["sources"][0]["url"].endswith("#" + picked["anchor"])

    transcript = sample_client.get(f"/api/v1/conversations/{offered['conversation_id']}").get_json()
    assert [m["text"] for m in transcript["messages"] if m["role"] == "customer"][-1] == picked["section"]
    with sample_app.app_context():
        kinds = get_session().scalars(select(Event.type).order_by(Event.id)).all()
    assert "choice_picked" in kinds


def test_a_choice_that_was_never_offered_is_refused(chat):
    offered = chat(message="two-factor authentication").get_json()
    refused = chat(
        conversation_id=offered["conversation_id"], choice={"slug": "reset-your-password", "anchor": "x"}
    )
    assert refused.status_code == 409 and "choice" in refused.get_data(as_text=True)
    assert chat(choice={"slug": "reset-your-password", "anchor": ""}).status_code == 422
