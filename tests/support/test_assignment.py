"""Round-robin assignment: the fair choice under a capacity, atomic taking, reassignment on leaving."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.models import Handoff
from kbbot.support import assignment, handoffs, presence
from kbbot.web.session import get_session
from tests.helpers import add_conversation, make_app

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
Candidate = assignment.Candidate


def test_the_rotation_starts_with_who_was_assigned_least_recently_and_skips_full_agents():
    candidates = [
        Candidate(1, open_handoffs=0, last_assigned_at=NOW),
        Candidate(2, open_handoffs=1, last_assigned_at=NOW - timedelta(minutes=5)),
        Candidate(3, open_handoffs=2, last_assigned_at=None),  # full
        Candidate(4, open_handoffs=0, last_assigned_at=None),  # never assigned: first
    ]
    assert assignment.rotation(candidates, capacity=2) == [4, 2, 1]
    assert assignment.rotation(candidates, capacity=3) == [3, 4, 2, 1]
    assert assignment.rotation(candidates, capacity=0) == []  # automatic assignment off


def _handoff(session, visitor, minutes=0):
    conversation = add_conversation(
        session, visitor, NOW + timedelta(minutes=minutes), handoff={"reason": "customer_request"}
    )
    session.commit()
    return conversation.handoff


def _agents(session, *names):
    agents = [
        users.create_user(session, f"{name.lower()}@example.com", ["agent"], name=name) for name in names
    ]
    for agent in agents:
        presence.beat(session, agent, NOW)
    return agents


def test_new_handoffs_go_round_robin_to_online_agents_under_the_capacity(session):
    alex, sam = _agents(session, "Alex", "Sam")
    users.create_user(session, "kim@example.com", ["agent"], name="Kim")  # never online
    first, second, third, fourth = (_handoff(session, f"v{n}", n) for n in range(4))

    assert assignment.assign_automatically(session, first, 2, NOW) == alex.id
    assert assignment.assign_automatically(session, second, 2, NOW + timedelta(seconds=1)) == sam.id
    assert assignment.assign_automatically(session, third, 2, NOW + timedelta(seconds=2)) == alex.id
    assert assignment.assign_automatically(session, fourth, 2, NOW + timedelta(seconds=3)) == sam.id
    fifth = _handoff(session, "v5", 5)
    assert assignment.assign_automatically(session, fifth, 2, NOW + timedelta(seconds=4)) is None  # all full
    assert (fifth.status, fifth.assignee_id) == ("open", None)

    handoffs.resolve(session, first, "answered")  # Alex has room again
    assert assignment.assign_automatically(session, fifth, 2, NOW + timedelta(seconds=5)) == alex.id
    assigned = [event for event in session.info["kbbot.events"] if event.type == "handoff_assigned"]
    assert [(event.handoff_id, event.data) for event in assigned][-1] == (
        fifth.id,
        {"assignee_id": alex.id, "automatic": True},
    )


def test_capacity_zero_leaves_handoffs_in_the_queue(session):
    _agents(session, "Alex")
    handoff = _handoff(session, "v1")
    assert assignment.assign_automatically(session, handoff, 0, NOW) is None
    assert assignment.sweep(session, 0, NOW) == 0
    assert handoff.assignee_id is None


def test_an_agent_who_goes_offline_or_away_gives_their_handoffs_back_to_be_reassigned(session):
    alex, sam = _agents(session, "Alex", "Sam")
    held = [_handoff(session, f"v{n}", n) for n in range(2)]
    for handoff in held:
        handoffs.assign(session, handoff, alex)
    later = NOW + timedelta(seconds=100)  # Alex's pages stopped beating; Sam's go on
    presence.beat(session, sam, later)

    assert assignment.sweep(session, 1, later) == 1  # Sam's capacity: one of them
    for handoff in held:
        session.refresh(handoff)
    assert sorted((h.status, h.assignee_id) for h in held) == sorted([("assigned", sam.id), ("open", None)])
    released = [event for event in session.info["kbbot.events"] if event.type == "handoff_released"]
    assert [event.data["assignee_id"] for event in released] == [alex.id, alex.id]

    presence.choose(session, sam, "away", later)
    assert assignment.sweep(session, 1, later) == 0
    assert all(session.refresh(h) or (h.status, h.assignee_id) == ("open", None) for h in held)


def test_agents_without_presence_keep_their_handoffs(session):
    """An agent who only uses the staff API never beats: nothing of theirs is released."""
    scripted = users.create_user(session, "bot@example.com", ["agent"], name="Script")
    handoff = _handoff(session, "v1")
    handoffs.assign(session, handoff, scripted)
    assignment.sweep(session, 2, NOW)
    session.refresh(handoff)
    assert handoff.assignee_id == scripted.id


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_app(request, tmp_path):
    if request.param == "sqlite":
        return make_app(tmp_path)
    return make_app(tmp_path, DATABASE_URL=request.getfixturevalue("postgres_url"))


def test_two_workers_assigning_at_once_never_exceed_the_capacity(shared_app):
    with shared_app.app_context():
        session = get_session()
        (alex,) = _agents(session, "Alex")
        ids = [_handoff(session, f"v{n}", n).id for n in range(6)]
    barrier = threading.Barrier(len(ids))
    errors = []

    def assign(handoff_id):
        try:
            with shared_app.app_context():
                session = get_session()
                handoff = session.get(Handoff, handoff_id)
                barrier.wait()
                assignment.assign_automatically(session, handoff, 2, NOW + timedelta(seconds=1))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    workers = [threading.Thread(target=assign, args=(handoff_id,)) for handoff_id in ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with shared_app.app_context():
        taken = get_session().execute(select(Handoff).where(Handoff.assignee_id == alex.id)).scalars().all()
        assert len(taken) == 2
