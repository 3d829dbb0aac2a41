"""Presence: whether an agent is online, away or offline, what they have open, and who is typing.

An agent's staff pages send heartbeats (every 20 s, every 4 s on the queue and a handoff's page); the agent
is online while they come and the agent chose "online", away when they chose "away", offline once
no heartbeat came for OFFLINE_AFTER. A heartbeat from a handoff's page also says whether its reply
box holds unsent text and whether they typed lately: other agents on that handoff see "viewing" or
"replying", the customer's widget "Support is typing…". The widget reports the customer's typing the
same way. Everything here is overwritten, never logged: it is not part of the transcript.
"""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..errors import InvalidInput
from ..models import PRESENCE_CHOICES, AgentPresence, CustomerTyping, Handoff, User

OFFLINE_AFTER = timedelta(seconds=90)  # no heartbeat for this long: offline
VIEWING_FOR = timedelta(seconds=10)  # a handoff page beats every 4 s; older: the agent left it
TYPING_FOR = timedelta(seconds=6)  # a keypress older than this no longer shows as typing
# A customer's typing is written at most this often per conversation, however often it is reported.
CUSTOMER_TYPING_EVERY = timedelta(seconds=2)


def state(presence, now):
    """ "online", "away" or "offline": the agent's choice while their pages beat, else offline."""
    if presence is None or presence.seen_at is None or now - presence.seen_at > OFFLINE_AFTER:
        return "offline"
    return presence.choice


def activity(presence, handoff_id, now):
    """What the agent of `presence` does on handoff `handoff_id` now: "replying" (unsent text in the
    reply box, or a recent keypress), "viewing", or None (not on its page)."""
    if presence.handoff_id != handoff_id or presence.seen_at is None or now - presence.seen_at > VIEWING_FOR:
        return None
    return "replying" if presence.has_draft or typing(presence, now) else "viewing"


def typing(presence, now):
    """Whether the agent pressed a key in a reply box within TYPING_FOR."""
    return presence.typed_at is not None and now - presence.typed_at <= TYPING_FOR


def _row(session, user):
    presence = session.get(AgentPresence, user.id)
    if presence is None:
        presence = AgentPresence(user_id=user.id, choice="online", has_draft=False)
        session.add(presence)
    return presence


def beat(session, user, now, handoff_id=None, has_draft=False, typed=False):
    """Record a heartbeat of `user`'s staff page (on handoff `handoff_id`'s page, if given; an unknown
    handoff counts as none) and commit; returns their `AgentPresence`."""
    if handoff_id is not None and session.get(Handoff, handoff_id) is None:
        handoff_id = None
    presence = _row(session, user)
    presence.seen_at = now
    presence.handoff_id = handoff_id
    presence.has_draft = bool(has_draft and handoff_id is not None)
    presence.typed_at = now if typed and handoff_id is not None else None  # stopped: not typing now
    session.commit()
    return presence


def choose(session, user, choice, now):
    """The agent sets themselves "online" or "away" (a heartbeat too); commits."""
    if choice not in PRESENCE_CHOICES:
        raise InvalidInput("choice", f"must be one of {', '.join(PRESENCE_CHOICES)}")
    presence = _row(session, user)
    presence.choice = choice
    presence.seen_at = now
    session.commit()
    return presence


def agents(session):
    """Active staff who may answer handoffs (agents and admins), by name."""
    found = session.execute(select(User).where(User.active.is_(True))).scalars()
    return sorted(
        (user for user in found if user.has_role("agent")), key=lambda user: user.name or user.email
    )


def team(session, now):
    """[(agent, "online" | "away" | "offline")] of every agent, by name."""
    rows = {row.user_id: row for row in session.execute(select(AgentPresence)).scalars()}
    return [(agent, state(rows.get(agent.id), now)) for agent in agents(session)]


def on_handoff(session, handoff_id, now, excluding_id):
    """[(agent's name, "viewing" | "replying")] of the other agents on handoff `handoff_id`'s page now."""
    rows = session.execute(
        select(AgentPresence, User)
        .join(User, User.id == AgentPresence.user_id)
        .where(AgentPresence.handoff_id == handoff_id, AgentPresence.user_id != excluding_id)
        .order_by(User.name, User.id)
    ).all()
    found = [(user.name or user.email, activity(presence, handoff_id, now)) for presence, user in rows]
    return [(name, doing) for name, doing in found if doing is not None]


def agent_typing(session, handoff_id, now):
    """Whether an agent is typing in handoff `handoff_id`'s reply box now (what the widget shows)."""
    rows = session.execute(select(AgentPresence).where(AgentPresence.handoff_id == handoff_id)).scalars()
    return any(activity(row, handoff_id, now) and typing(row, now) for row in rows)


def customer_typed(session, conversation, now):
    """The customer is typing in `conversation` (reported by the widget); commits, at most one write
    per CUSTOMER_TYPING_EVERY."""
    updated = session.execute(
        update(CustomerTyping)
        .where(
            CustomerTyping.conversation_id == conversation.id,
            CustomerTyping.typed_at < now - CUSTOMER_TYPING_EVERY,
        )
        .values(typed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not updated and session.get(CustomerTyping, conversation.id) is None:
        session.add(CustomerTyping(conversation_id=conversation.id, typed_at=now))
    try:
        session.commit()
    except IntegrityError:  # the same conversation's first report arrived twice at once: one is enough
        session.rollback()


def customer_typing(session, handoff_id, now):
    """Whether the customer of handoff `handoff_id` typed in the widget within TYPING_FOR."""
    typed_at = session.scalar(
        select(CustomerTyping.typed_at)
        .join(Handoff, Handoff.conversation_id == CustomerTyping.conversation_id)
        .where(Handoff.id == handoff_id)
    )
    return typed_at is not None and now - typed_at <= TYPING_FOR
