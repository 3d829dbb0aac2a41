"""Presence: online, away and offline from heartbeats, who is on a handoff, and typing both ways."""

from datetime import UTC, datetime, timedelta

from kbbot.accounts import users
from kbbot.models import AgentPresence
from kbbot.support import presence
from tests.helpers import add_conversation

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_an_agent_is_offline_once_heartbeats_stop():
    beating = AgentPresence(user_id=1, choice="online", seen_at=NOW - timedelta(seconds=80))
    assert presence.state(beating, NOW) == "online"
    assert presence.state(beating, NOW + timedelta(seconds=11)) == "offline"
    assert presence.state(AgentPresence(user_id=1, choice="away", seen_at=NOW), NOW) == "away"
    assert presence.state(None, NOW) == "offline"


def test_an_agent_on_a_handoff_is_viewing_or_replying_until_they_leave_it():
    seen = AgentPresence(user_id=1, choice="online", seen_at=NOW, handoff_id=7, has_draft=False)
    assert presence.activity(seen, 7, NOW) == "viewing"
    assert presence.activity(seen, 8, NOW) is None
    assert presence.activity(seen, 7, NOW + timedelta(seconds=11)) is None  # left without a word
    seen.typed_at = NOW - timedelta(seconds=2)
    assert presence.activity(seen, 7, NOW) == "replying"
    seen.typed_at = NOW - timedelta(seconds=30)
    assert presence.activity(seen, 7, NOW) == "viewing"
    seen.has_draft = True  # unsent text in the reply box
    assert presence.activity(seen, 7, NOW) == "replying"


def test_heartbeats_show_each_agent_to_the_others_on_the_same_handoff(session):
    alex = users.create_user(session, "alex@example.com", ["agent"], name="Alex")
    sam = users.create_user(session, "sam@example.com", ["agent"], name="Sam")
    handoff = add_conversation(session, "v1", NOW, handoff={"reason": "customer_request"}).handoff
    session.commit()

    presence.beat(session, alex, NOW, handoff.id)
    presence.beat(session, sam, NOW, handoff.id, has_draft=True, typed=True)
    assert presence.on_handoff(session, handoff.id, NOW, excluding_id=alex.id) == [("Sam", "replying")]
    assert presence.on_handoff(session, handoff.id, NOW, excluding_id=sam.id) == [("Alex", "viewing")]
    assert presence.agent_typing(session, handoff.id, NOW)
    assert not presence.agent_typing(session, handoff.id, NOW + timedelta(seconds=7))

    presence.beat(session, sam, NOW + timedelta(seconds=4))  # Sam went to the queue
    assert presence.on_handoff(session, handoff.id, NOW + timedelta(seconds=4), excluding_id=alex.id) == []
    assert presence.beat(session, alex, NOW, handoff_id=999_999).handoff_id is None  # unknown: none


def test_the_customer_typing_shows_for_a_few_seconds_and_is_written_at_most_every_two(session):
    conversation = add_conversation(session, "v1", NOW, handoff={"reason": "customer_request"})
    session.commit()
    handoff_id = conversation.handoff.id
    assert not presence.customer_typing(session, handoff_id, NOW)
    presence.customer_typed(session, conversation, NOW)
    presence.customer_typed(session, conversation, NOW + timedelta(seconds=1))  # coalesced
    assert presence.customer_typing(session, handoff_id, NOW + timedelta(seconds=6))
    assert not presence.customer_typing(session, handoff_id, NOW + timedelta(seconds=7))
    presence.customer_typed(session, conversation, NOW + timedelta(seconds=5))
    assert presence.customer_typing(session, handoff_id, NOW + timedelta(seconds=10))


def test_an_agent_chooses_online_or_away(session):
    alex = users.create_user(session, "alex@example.com", ["agent"], name="Alex")
    users.create_user(session, "eda@example.com", ["editor"], name="Eda")  # no agent: not in the team
    presence.choose(session, alex, "away", NOW)
    assert [(agent.name, state) for agent, state in presence.team(session, NOW)] == [("Alex", "away")]
    presence.choose(session, alex, "online", NOW)
    assert [state for _agent, state in presence.team(session, NOW + timedelta(minutes=2))] == ["offline"]
