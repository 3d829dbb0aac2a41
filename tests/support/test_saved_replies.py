"""Saved replies in the core: who sees and changes which, their rules, filling them, counting uses."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.errors import InvalidInput, NotFound
from kbbot.models import Handoff, Message, SavedReplyUse
from kbbot.support import saved_replies
from kbbot.web.session import get_session
from tests.helpers import ask, request_handoff


@pytest.fixture
def staff(support_app):
    """(session, agent, other agent, editor) in the support help center's app."""
    with support_app.app_context():
        session = get_session()
        yield (
            session,
            users.create_user(session, "alex@example.com", ["agent"], name="Alex Krycek"),
            users.create_user(session, "bo@example.com", ["agent"], name="Bo"),
            users.create_user(session, "eda@example.com", ["editor"], name="Eda"),
        )


def test_everyone_sees_the_shared_replies_and_only_their_own(staff):
    session, alex, bo, eda = staff
    shared = saved_replies.create(session, eda, "Refunds", "refund", "See {article:refunds}.", shared=True)
    own = saved_replies.create(session, alex, "Hello", "hi", "Hi {customer_first_name}!")
    assert [r.id for r in saved_replies.visible(session, alex)] == [own.id, shared.id]
    assert [r.id for r in saved_replies.visible(session, bo)] == [shared.id]
    with pytest.raises(NotFound):
        saved_replies.get(session, bo, own.id)
    assert saved_replies.get(session, bo, shared.id) is shared


def test_only_editors_and_admins_manage_shared_replies(staff):
    session, alex, _bo, eda = staff
    with pytest.raises(saved_replies.NotAllowed):
        saved_replies.create(session, alex, "Refunds", "refund", "Text", shared=True)
    shared = saved_replies.create(session, eda, "Refunds", "refund", "Text", shared=True)
    with pytest.raises(saved_replies.NotAllowed):
        saved_replies.update(session, alex, shared, "Mine now", "refund", "Text", shared=False)
    with pytest.raises(saved_replies.NotAllowed):
        saved_replies.delete(session, alex, shared)
    own = saved_replies.create(session, alex, "Hello", "hi", "Hi")
    with pytest.raises(saved_replies.NotAllowed):  # sharing one's own needs the editor role too
        saved_replies.update(session, alex, own, "Hello", "hi", "Hi", shared=True)
    assert saved_replies.update(session, eda, shared, "Refund", "refund", "New", shared=True).body == "New"


@pytest.mark.parametrize(
    "fields, field, words",
    [
        (("", "hi", "Hi"), "title", "title"),
        (("Hi", "", "Hi"), "shortcut", "shortcut"),
        (("Hi", "hi there", "Hi"), "shortcut", "letters, digits"),
        (("Hi", "x" * 41, "Hi"), "shortcut", "at most 40"),
        (("Hi", "hi", "   "), "body", "write the reply"),
        (("Hi", "hi", "x" * 5001), "body", "at most 5000"),
        (("Hi", "hi", "Hi {nickname}"), "body", "unknown placeholder {nickname}"),
        (("Hi", "hi", "See {article:nope}"), "body", "{article:nope} names no published article"),
        (("Hi", "hi", "See {article:new-pricing}"), "body", "names no published article"),  # a draft
    ],
)
def test_invalid_fields_are_named(staff, fields, field, words):
    session, alex, _bo, _eda = staff
    with pytest.raises(InvalidInput) as raised:
        saved_replies.create(session, alex, *fields)
    assert raised.value.field == field and words in raised.value.message


def test_a_shortcut_is_distinct_among_what_its_owner_sees(staff):
    session, alex, bo, eda = staff
    saved_replies.create(session, eda, "Refunds", "refund", "Text", shared=True)
    with pytest.raises(saved_replies.ShortcutTaken):
        saved_replies.create(session, alex, "My refunds", "/Refund", "Text")  # "/" and case are dropped
    with pytest.raises(saved_replies.ShortcutTaken):
        saved_replies.create(session, eda, "Refunds again", "refund", "Text", shared=True)
    saved_replies.create(session, alex, "Hello", "hi", "Hi")
    assert saved_replies.create(session, bo, "Hello", "hi", "Hi").shortcut == "hi"  # Bo's own


def test_replies_are_filled_for_the_handoff_and_the_agent(support_app, staff):
    session, alex, _bo, eda = staff
    customer = support_app.test_client()
    conversation_id = ask(customer, "I was charged twice")["conversation_id"]
    handoff_id = request_handoff(customer, conversation_id, name="").get_json()["id"]
    body = "Hi {customer_first_name}, {agent_first_name} here: {article:refunds}"
    reply = saved_replies.create(session, eda, "Refunds", "refund", body, shared=True)
    handoff = session.get(Handoff, handoff_id)
    [filled] = saved_replies.fill(session, handoff, alex, [reply], lambda slug: f"https://h.example/a/{slug}")
    assert filled.text == "Hi there, Alex here: [Refund policy](https://h.example/a/refunds)"
    assert filled.unfilled == ()


def test_uses_are_counted_for_replies_the_agent_sees_and_by_period(support_app, staff):
    session, alex, bo, eda = staff
    shared = saved_replies.create(session, eda, "Refunds", "refund", "Text", shared=True)
    bos = saved_replies.create(session, bo, "Bo's", "bo", "Text")
    ask(support_app.test_client(), "hello there")
    message = session.execute(select(Message)).scalars().first()
    assert saved_replies.used_ids(f"{shared.id} {shared.id} x -3 {bos.id} 99999999999") == [shared.id, bos.id]
    assert saved_replies.record_uses(session, alex, [shared.id, bos.id, 12345], message) == [shared.id]
    saved_replies.record_uses(session, bo, [shared.id, bos.id], message)
    session.execute(
        select(SavedReplyUse).where(SavedReplyUse.user_id == alex.id)
    ).scalar_one().used_at -= timedelta(days=31)
    session.commit()
    counts = {
        listed.reply.id: (listed.uses, listed.recent_uses) for listed in saved_replies.listing(session, bo)
    }
    assert counts == {shared.id: (2, 1), bos.id: (1, 1)}
