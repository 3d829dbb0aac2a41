"""Automatic assignment: round-robin among the agents online and under KBBOT_AGENT_CAPACITY.

A new handoff (or one back in the queue unassigned) goes to the online agent with fewer open assigned
handoffs than the capacity who was given one least recently (never before comes first), so the
rotation is fair. Taking a handoff is atomic: the chosen agent's presence row is written first in the
transaction (a row lock on PostgreSQL, the write lock on SQLite), their open handoffs are counted
again under it, and the handoff is taken only while it is still unassigned, so two workers never
push an agent over the capacity nor give one handoff twice. An agent who goes away or offline gives
their open handoffs back to the queue, to be assigned again: `sweep` does both, on each heartbeat of
any agent's staff page, so no daemon is needed. Capacity 0 turns all of it off.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, update

from .. import events
from ..models import AgentPresence, Handoff, HandoffStatus
from . import presence

NEVER = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Candidate:
    """An online agent, with their open assigned handoffs and when round-robin last gave them one."""

    agent_id: int
    open_handoffs: int
    last_assigned_at: datetime | None


def rotation(candidates, capacity):
    """The ids of the candidates under `capacity` open handoffs, in the order round-robin tries them:
    who was assigned least recently first (never: first of all), then by id. Empty when capacity <= 0."""
    if capacity <= 0:
        return []
    eligible = [candidate for candidate in candidates if candidate.open_handoffs < capacity]
    eligible.sort(key=lambda candidate: (candidate.last_assigned_at or NEVER, candidate.agent_id))
    return [candidate.agent_id for candidate in eligible]


def _open_handoffs(session, agent_id):
    return session.scalar(
        select(func.count(Handoff.id)).where(
            Handoff.assignee_id == agent_id, Handoff.status == HandoffStatus.ASSIGNED
        )
    )


def candidates(session, now):
    """The agents online now, as `Candidate`s."""
    rows = {row.user_id: row for row in session.execute(select(AgentPresence)).scalars()}
    return [
        Candidate(agent.id, _open_handoffs(session, agent.id), rows[agent.id].last_assigned_at)
        for agent in presence.agents(session)
        if presence.state(rows.get(agent.id), now) == "online"
    ]


def _take(session, handoff, agent_id, capacity, now):
    """Give `handoff` to `agent_id` if they are still under `capacity` and it is still unassigned, in one
    transaction that begins by locking the agent's presence row; whether it was given."""
    session.commit()  # the lock below must begin its transaction (SQLite: a write lock, not a read)
    lock = update(AgentPresence).where(AgentPresence.user_id == agent_id).values(last_assigned_at=now)
    session.execute(lock.execution_options(synchronize_session=False))
    if _open_handoffs(session, agent_id) >= capacity:
        session.rollback()
        return False
    taken = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.assignee_id.is_(None), Handoff.status == HandoffStatus.OPEN)
        .values(assignee_id=agent_id, status=HandoffStatus.ASSIGNED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        session.rollback()
        return False
    session.commit()
    session.refresh(handoff)
    events.record_in(
        handoff.conversation, "handoff_assigned", handoff_id=handoff.id, assignee_id=agent_id, automatic=True
    )
    return True


def assign_automatically(session, handoff, capacity, now):
    """Give an open, unassigned `handoff` to the next agent in the rotation; their id, or None when
    nobody online is under the capacity (it waits in the queue) or it is assigned already."""
    if capacity <= 0 or handoff.assignee_id is not None or handoff.status != HandoffStatus.OPEN:
        return None
    for agent_id in rotation(candidates(session, now), capacity):
        if _take(session, handoff, agent_id, capacity, now):
            return agent_id
        session.refresh(handoff)
        if handoff.assignee_id is not None or handoff.status != HandoffStatus.OPEN:
            return None  # someone took it meanwhile
    return None


def release_absent(session, now):
    """Put the open handoffs of agents who went away or offline back in the queue (commits); the
    handoffs released. Only agents with a presence (who used the staff pages) are judged absent."""
    absent = [
        row.user_id
        for row in session.execute(select(AgentPresence)).scalars()
        if presence.state(row, now) != "online"
    ]
    held = (
        session.execute(
            select(Handoff).where(Handoff.assignee_id.in_(absent), Handoff.status == HandoffStatus.ASSIGNED)
        )
        .scalars()
        .all()
        if absent
        else []
    )
    released = []
    for handoff in held:
        agent_id = handoff.assignee_id
        back = session.execute(
            update(Handoff)
            .where(
                Handoff.id == handoff.id,
                Handoff.assignee_id == agent_id,
                Handoff.status == HandoffStatus.ASSIGNED,
            )
            .values(assignee_id=None, status=HandoffStatus.OPEN)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        if back:
            session.refresh(handoff)
            events.record_in(
                handoff.conversation, "handoff_released", handoff_id=handoff.id, assignee_id=agent_id
            )
            released.append(handoff)
    return released


def sweep(session, capacity, now):
    """Release absent agents' handoffs, then assign every open unassigned handoff, longest waiting first,
    while agents have room; the number assigned. Nothing with capacity <= 0."""
    if capacity <= 0:
        return 0
    release_absent(session, now)
    waiting = (
        session.execute(
            select(Handoff)
            .where(Handoff.assignee_id.is_(None), Handoff.status == HandoffStatus.OPEN)
            .order_by(Handoff.created_at, Handoff.id)
        )
        .scalars()
        .all()
    )
    assigned = 0
    for handoff in waiting:
        if assign_automatically(session, handoff, capacity, now) is not None:
            assigned += 1
        elif handoff.assignee_id is None:
            break  # nobody online has room: the rest wait too
    return assigned
