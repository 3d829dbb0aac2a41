"""What an agent is alerted to: the handoffs that concern them, for the page title's count and the
browser notifications of the staff pages.

A handoff concerns an agent while it waits unassigned in the queue (anyone may take it) or is assigned
to them and not resolved. The staff pages notify once for each handoff that newly concerns the agent,
or is newly assigned to them (round-robin, a reassignment, a colleague).
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..models import Handoff, HandoffStatus

MAX_LISTED = 50  # the most recent ones, for notifications; the count counts them all


@dataclass(frozen=True)
class Alert:
    """A handoff that concerns the agent: "new" (waiting unassigned) or "assigned" (to them)."""

    handoff_id: int
    customer: str
    kind: str


def _concerning(agent_id):
    return or_(
        (Handoff.status == HandoffStatus.OPEN) & Handoff.assignee_id.is_(None),
        (Handoff.status == HandoffStatus.ASSIGNED) & (Handoff.assignee_id == agent_id),
    )


def count(session, agent_id):
    """How many handoffs concern the agent now."""
    return session.scalar(select(func.count(Handoff.id)).where(_concerning(agent_id)))


def alerts(session, agent_id):
    """The `Alert`s of the agent, latest handed off first (at most MAX_LISTED)."""
    found = session.execute(
        select(Handoff)
        .options(selectinload(Handoff.conversation))
        .where(_concerning(agent_id))
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(MAX_LISTED)
    ).scalars()
    return [
        Alert(handoff.id, handoff.name or handoff.email, "assigned" if handoff.assignee_id else "new")
        for handoff in found
    ]
