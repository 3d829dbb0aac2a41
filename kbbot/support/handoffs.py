"""Handoffs: a conversation passed to a person, with everything the customer already tried.

One handoff per conversation. Its lifecycle: `open` (waiting in the queue),
`assigned` (an agent took it), `resolved` (with a resolution reason), and back
to `open`/`assigned` when the customer writes again. What an agent sees of a
handoff is `agent_views.handoff_context`.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from .. import events
from ..errors import Conflict, InvalidInput, NotFound
from ..models import (
    HANDOFF_STATUSES,
    RESOLUTION_REASONS,
    Conversation,
    Feedback,
    Handoff,
    HandoffReason,
    HandoffStatus,
    Message,
    Note,
    Tag,
    utcnow,
)
from . import mail, sla

# What agents read for the codes (every code of HANDOFF_REASONS and RESOLUTION_REASONS).
REASON_LABELS = {
    HandoffReason.CUSTOMER_REQUEST: "Asked for a person",
    HandoffReason.LOW_CONFIDENCE: "The bot found no answer",
    HandoffReason.REPEATED_UNHELPFUL: "Answers did not help",
    HandoffReason.NEGATIVE_FEEDBACK: "Voted an answer unhelpful",
}
RESOLUTION_LABELS = {
    "answered": "Answered",
    "existing_article": "Answered with an existing article",
    "article_missing": "Article missing or wrong",
    "bug": "Bug",
    "other": "Other",
}
MAX_REPLY_CHARS = 10000
MAX_NOTE_CHARS = 10000
MAX_GAP_QUESTION_CHARS = 1000


def reason_for(session: Session, conversation: Conversation):
    """Why this conversation is handed off: the latest reason the bot offered a person, if any.

    A customer who clicks "talk to a person" without an offer asked for one.
    """
    offers = [(m.created_at, m.offer_reason) for m in conversation.messages if m.offer_reason]
    bot_ids = [m.id for m in conversation.messages if m.role == "bot"]
    if bot_ids:
        offers += [
            (created_at, HandoffReason.NEGATIVE_FEEDBACK)
            for (created_at,) in session.execute(
                select(Feedback.created_at).where(
                    Feedback.message_id.in_(bot_ids), Feedback.helpful.is_(False)
                )
            )
        ]
    if not offers:
        return HandoffReason.CUSTOMER_REQUEST
    return max(offers, key=lambda offer: offer[0])[1]


def request(
    session: Session, conversation: Conversation, email, name="", message="", user_agent=None, policy=None
):
    """Open the conversation's handoff, or return the one it already has: (handoff, created).

    Asking again for a resolved handoff reopens it. The customer then waits for a reply, due by the SLA
    `policy` (`sla.Policy`; None: nothing is due).
    """
    handoff = conversation.handoff
    if handoff is not None:
        if handoff.status == HandoffStatus.RESOLVED:
            reopen(session, handoff)
            sla.customer_waits(handoff, policy, utcnow())
            session.commit()
        return handoff, False
    reason = reason_for(session, conversation)
    handoff = Handoff(
        created_at=utcnow(),
        conversation=conversation,
        status=HandoffStatus.OPEN,
        reason=reason,
        email=email,
        name=name,
        message=message,
        page_url=conversation.page_url,
        locale=conversation.locale,
        user_agent=(user_agent or conversation.user_agent or "")[:500] or None,
    )
    sla.customer_waits(handoff, policy, handoff.created_at)
    session.add(handoff)
    try:
        session.commit()
    except IntegrityError:  # the same request arrived twice at once: the other one created it
        session.rollback()
        session.refresh(conversation)
        return conversation.handoff, False
    events.record_in(
        conversation,
        "handoff_requested",
        handoff_id=handoff.id,
        reason=reason,
    )
    return handoff, True


def get(session: Session, handoff_id) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound("handoff not found")
    return handoff


def _filtered(query, assignee_id=None, tag=None, priority=None):
    """`query` over handoffs narrowed to one agent's, one tag's or one priority's, where given."""
    if assignee_id is not None:
        query = query.where(Handoff.assignee_id == assignee_id)
    if tag is not None:
        query = query.where(Handoff.tags.any(Tag.name == tag))
    if priority is not None:
        query = query.where(Handoff.priority == priority)
    return query


def queue(session: Session, status=None, assignee_id=None, tag=None, priority=None, limit=100):
    """Handoffs, optionally only one status, one agent's, one tag's or one priority's: the waiting ones
    first, the reply due soonest first (the most overdue on top), those with nothing due after them,
    oldest first; then the resolved ones, latest resolved first."""
    query = (
        select(Handoff)
        .options(
            selectinload(Handoff.conversation),
            selectinload(Handoff.assignee),
            selectinload(Handoff.tags),
        )
        .order_by(
            Handoff.status == HandoffStatus.RESOLVED,
            Handoff.resolved_at.desc(),
            Handoff.reply_due_at.is_(None),
            Handoff.reply_due_at,
            Handoff.created_at,
            Handoff.id,
        )
    )
    if status is not None:
        query = query.where(Handoff.status == status)
    query = _filtered(query, assignee_id, tag, priority)
    return session.execute(query.limit(limit)).scalars().all()


def count_by_status(session: Session, assignee_id=None, tag=None, priority=None):
    """{status: number of handoffs}, every status present (0 when none); optionally one agent's, one
    tag's or one priority's."""
    query = _filtered(
        select(Handoff.status, func.count(Handoff.id)).group_by(Handoff.status), assignee_id, tag, priority
    )
    found = dict(session.execute(query).all())
    return {status: found.get(status, 0) for status in HANDOFF_STATUSES}


def _log(type_, handoff, **data):
    events.record_in(handoff.conversation, type_, handoff_id=handoff.id, **data)


def assign(session: Session, handoff: Handoff, agent):
    """Give the handoff to `agent` (taking it over from another agent is allowed)."""
    if handoff.status == HandoffStatus.RESOLVED:
        raise Conflict("a resolved handoff cannot be assigned; reopen it first")
    handoff.assignee = agent
    handoff.status = HandoffStatus.ASSIGNED
    session.commit()
    _log("handoff_assigned", handoff, assignee_id=agent.id)
    return handoff


def post_reply(session: Session, handoff: Handoff, agent, text, email=False) -> Message:
    """An agent's reply, added to the customer's conversation; from now on the bot stays silent.

    Replying to an unassigned handoff assigns it to the replier. With `email` (the app sends mail),
    the reply is queued to be emailed too, in the same transaction (`mail.email_reply` tries it).
    """
    text = text.strip()
    if not text:
        raise InvalidInput("text", "must not be empty")
    if len(text) > MAX_REPLY_CHARS:
        raise InvalidInput("text", f"must be at most {MAX_REPLY_CHARS} characters")
    if handoff.status == HandoffStatus.RESOLVED:
        raise Conflict("the handoff is resolved; reopen it to reply")
    message = Message(conversation=handoff.conversation, role="agent", text=text, author=agent)
    session.add(message)
    now = utcnow()
    handoff.conversation.last_message_at = now
    if handoff.first_reply_at is None:
        handoff.first_reply_at = now
    sla.wait_ends(session, handoff, now, agent)
    if handoff.assignee is None:
        handoff.assignee = agent
        handoff.status = HandoffStatus.ASSIGNED
    if email:
        mail.queue_reply(session, message)
    session.commit()
    _log("agent_reply", handoff, message_id=message.id)
    return message


def add_note(session: Session, handoff: Handoff, author, text) -> Note:
    """An internal note for the staff: kept apart from the conversation, so the customer never sees it.

    Allowed in every status: a note may explain a resolution after the fact.
    """
    text = text.strip()
    if not text:
        raise InvalidInput("text", "must not be empty")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput("text", f"must be at most {MAX_NOTE_CHARS} characters")
    note = Note(handoff=handoff, author=author, text=text)
    session.add(note)
    session.commit()
    return note


def resolve(session: Session, handoff: Handoff, resolution_reason, gap_question=None):
    """Resolve the handoff. With `article_missing`, `gap_question` is the question the articles fell
    short on, as the agent names it (kept in the `handoff_resolved` event); left out, the content-gap
    report takes its best guess, the question behind the handoff (`agent_views.gap_guesses`)."""
    if resolution_reason not in RESOLUTION_REASONS:
        raise InvalidInput("reason", f"must be one of {', '.join(RESOLUTION_REASONS)}")
    # Named for the content-gap report: with another reason there is no gap, and it is ignored (a form
    # sends its pre-filled field whatever reason is chosen).
    gap_question = (gap_question or "").strip() or None if resolution_reason == "article_missing" else None
    if gap_question is not None and len(gap_question) > MAX_GAP_QUESTION_CHARS:
        raise InvalidInput("gap_question", f"must be at most {MAX_GAP_QUESTION_CHARS} characters")
    if handoff.status == HandoffStatus.RESOLVED:
        raise Conflict("the handoff is already resolved")
    handoff.status = HandoffStatus.RESOLVED
    handoff.resolution_reason = resolution_reason
    handoff.resolved_at = utcnow()
    sla.wait_ends(session, handoff, handoff.resolved_at)
    session.commit()
    gap = {"gap_question": gap_question} if gap_question is not None else {}
    _log("handoff_resolved", handoff, resolution_reason=resolution_reason, **gap)
    return handoff


def reopen(session: Session, handoff: Handoff):
    """Back to the queue (to its agent, if it had one); the caller commits."""
    if handoff.status != HandoffStatus.RESOLVED:
        raise Conflict("only a resolved handoff can be reopened")
    handoff.status = HandoffStatus.ASSIGNED if handoff.assignee_id else HandoffStatus.OPEN
    handoff.resolution_reason = None
    handoff.resolved_at = None
    session.flush()
    _log("handoff_reopened", handoff)
    return handoff
