"""Customers' answers by email: each mail read from the support mailbox is added to its conversation,
left for an agent in triage, or ignored, and kept (`InboundEmail`) whatever became of it.

A mail finds its conversation by the token in the reply address it was sent to (To, Delivered-To,
X-Original-To...; kbbot/support/reply_address.py), else by the Message-ID of one of kbbot's reply
emails (or the thread's id) in its In-Reply-To or References. It is added only when nothing is in
doubt; otherwise it waits in triage with the reason, never lost and never attached to a wrong
conversation:

- a token that fails its signature (a mistyped or forged address);
- a sender who is not the address the customer left with the handoff (someone the mail was
  forwarded to, or a stranger who learnt the address; an agent attaches it if it is the customer);
- no new text once the quoted mail is removed, or an automatic reply's subject with no header
  saying so (a weak hint);
- too large to read (`MAX_MAIL_BYTES`), no conversation found, or an error while reading it.

Auto-replies and bounces are ignored, with the reason. A mail's Message-ID is unique: a mail read
twice (two processes at once, or again after a crash) is recorded once and added once. An answer
is added by `conversations.add_customer_message`, as a message typed in the chat is: it reopens a
resolved handoff and the agent's console shows it like any other.
"""

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import events
from ..errors import Conflict, NotFound
from ..models import Conversation, Handoff, InboundEmail, InboundStatus, OutboundEmail, utcnow
from ..text import clean_text
from . import conversations, mail_parsing

MAX_MAIL_BYTES = 25 * 1024 * 1024  # a larger mail is not downloaded: it waits in triage, headers only
_THREAD_ID = re.compile(r"^<handoff-([0-9]{1,12})\.([A-Za-z0-9_-]{1,40})@")  # `mail.thread_id`


def receive(session, raw, reply_addresses=None, size=None, too_large=False, policy=None):
    """Record one mail (its bytes; for a mail `too_large` to read, its headers only): the new
    `InboundEmail`, or None when a mail with its Message-ID was recorded already. Commits.

    `reply_addresses`: the app's `ReplyAddresses` (None: answers are matched by Message-ID only).
    `size`: the mail's size in bytes as the mailbox gives it (default: `raw`'s). `policy`: the SLA
    (`sla.Policy`) by which an answer's reply is due.
    """
    parsed = mail_parsing.parse(raw)
    if recorded(session, parsed.message_id):
        return None
    inbound = InboundEmail(
        message_id=parsed.message_id,
        sender=parsed.sender,
        sender_name=parsed.sender_name,
        recipients=", ".join(parsed.recipients)[:5000],
        subject=parsed.subject,
        received_at=utcnow(),
        size=len(raw) if size is None else size,
        text=parsed.text,
        reply=parsed.reply,
    )
    conversation, status, reason = route(session, parsed, reply_addresses, too_large)
    inbound.conversation, inbound.status, inbound.reason = conversation, status, reason[:500]
    session.add(inbound)
    if status == InboundStatus.ATTACHED:
        _add_to_conversation(session, inbound, policy)
    return _committed(session, inbound)


def record_failure(session, raw, error):
    """Keep a mail that could not be read (`error`, an exception) in triage, with its bytes as text so an
    agent may read it: the new `InboundEmail`, or None when it was recorded already. Commits."""
    session.rollback()
    text = raw.decode("utf-8", errors="replace")[: mail_parsing.MAX_KEPT_CHARS]
    message_id = mail_parsing.fallback_message_id(raw)
    if recorded(session, message_id):
        return None
    inbound = InboundEmail(
        message_id=message_id,
        received_at=utcnow(),
        size=len(raw),
        text=clean_text(text),
        status=InboundStatus.TRIAGE,
        reason=f"could not be read ({type(error).__name__})",
    )
    session.add(inbound)
    return _committed(session, inbound)


def recorded(session, message_id):
    return session.scalar(select(InboundEmail.id).where(InboundEmail.message_id == message_id)) is not None


def route(session, parsed, reply_addresses, too_large=False):
    """Where a parsed mail goes: (its conversation or None, an `InboundStatus`, the reason in words).
    A mail in triage keeps the conversation it seems to answer, for the agent to confirm."""
    if too_large:
        return None, InboundStatus.TRIAGE, f"too large to read (over {MAX_MAIL_BYTES // 2**20} MB)"
    if parsed.automatic is not None:
        return None, InboundStatus.IGNORED, parsed.automatic
    conversation_id, tampered = (
        reply_addresses.conversation_in(parsed.recipients) if reply_addresses is not None else (None, False)
    )
    if tampered:
        return None, InboundStatus.TRIAGE, "the reply address's token failed its check"
    conversation = (
        session.get(Conversation, conversation_id)
        if conversation_id is not None
        else _answered_conversation(session, parsed.refers_to)
    )
    if conversation is None or conversation.handoff is None:
        return None, InboundStatus.TRIAGE, "matches no conversation"
    doubt = _doubt(parsed, conversation.handoff)
    if doubt is not None:
        return conversation, InboundStatus.TRIAGE, doubt
    return conversation, InboundStatus.ATTACHED, "answers the conversation"


def _doubt(parsed, handoff):
    """Why a mail that answers `handoff`'s conversation must not be added without an agent, or None."""
    if parsed.sender.lower() != handoff.email.lower():
        return f"sent from {parsed.sender or 'no address'}, not the customer's {handoff.email}"
    if parsed.looks_automatic:
        return "its subject looks like an automatic reply"
    if not parsed.reply:
        return "no new text (only the quoted mail)"
    return None


def _answered_conversation(session, refers_to):
    """The conversation of the first of kbbot's reply emails (or thread ids) in `refers_to`, or None."""
    if not refers_to:
        return None
    found = session.scalars(
        select(OutboundEmail).where(OutboundEmail.email_message_id.in_(refers_to)).limit(1)
    ).first()
    if found is not None:
        return found.message.conversation
    for message_id in refers_to:
        thread = _THREAD_ID.match(message_id)
        if thread is None:
            continue
        handoff = session.get(Handoff, int(thread.group(1)))
        if handoff is not None and handoff.conversation.public_id == thread.group(2):
            return handoff.conversation
    return None


def _add_to_conversation(session, inbound, policy):
    text = inbound.reply or "(an email with no text)"
    message = conversations.add_customer_message(
        session, inbound.conversation, text, event="email_received", policy=policy
    )
    inbound.chat_message_id = message.id
    inbound.status = InboundStatus.ATTACHED


def _committed(session, inbound):
    try:
        session.commit()
    except IntegrityError:  # another process recorded the same mail a moment ago
        session.rollback()
        session.info.pop(events.QUEUE, None)  # the events of what was rolled back
        return None
    return inbound


def triage(session, limit=200):
    """The mails waiting for an agent (triage) and the ignored ones, latest first."""
    return session.scalars(
        select(InboundEmail)
        .where(InboundEmail.status.in_((InboundStatus.TRIAGE, InboundStatus.IGNORED)))
        .order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc())
        .limit(limit)
    ).all()


def get(session, inbound_id):
    inbound = session.get(InboundEmail, inbound_id)
    if inbound is None:
        raise NotFound("email not found")
    return inbound


def attach(session, inbound, handoff, policy=None):
    """An agent's decision: add a mail from triage (or an ignored one) to `handoff`'s conversation, its
    new text as the customer's message. Commits."""
    if inbound.status not in (InboundStatus.TRIAGE, InboundStatus.IGNORED):
        raise Conflict("this email was attached or discarded already")
    inbound.conversation = handoff.conversation
    inbound.reason = "attached by an agent"
    _add_to_conversation(session, inbound, policy)
    session.commit()
    return inbound


def discard(session, inbound):
    """An agent's decision: the mail needs nothing (kept, out of the triage list). Commits."""
    if inbound.status not in (InboundStatus.TRIAGE, InboundStatus.IGNORED):
        raise Conflict("this email was attached or discarded already")
    inbound.status = InboundStatus.DISCARDED
    inbound.reason = "discarded by an agent"
    session.commit()
    return inbound


def candidate_handoffs(session, inbound, limit=10):
    """The handoffs an agent may attach `inbound` to first: the one it seems to answer, then those the
    customer left its sender's address with, latest first."""
    query = (
        select(Handoff)
        .where(func.lower(Handoff.email) == inbound.sender.lower())
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(limit)
    )
    found = session.scalars(query).all() if inbound.sender else []
    suggested = inbound.conversation.handoff if inbound.conversation is not None else None
    return ([suggested] if suggested is not None else []) + [h for h in found if h is not suggested]
