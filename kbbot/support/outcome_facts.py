"""Each conversation's outcome facts kept current: written with the message, vote or handoff that
changes them, in the same transaction, so the reports read one row per conversation
(`models.OutcomeFacts`; what they hold: `kbbot.reports.facts`).

`watch` hooks a session factory: whatever adds, changes or deletes a customer's or the bot's message,
a vote on one or a handoff (the chat, an email answer, feedback, a handoff request, tests and
scripts writing rows through the ORM alike) marks its conversation, and the commit refreshes its
facts first, from the conversation's full record (`refresh`). Bulk SQL statements bypass the
session's bookkeeping: whoever runs them calls `refresh` (privacy.py does). `backfill` rebuilds
every conversation's facts (the migration that added them, a bulk import).
"""

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import Conversation, Feedback, Handoff, Message, OutcomeFacts
from ..reports.facts import conversation_facts, stored
from ..reports.full_records import conversation_records

CHANGED = "kbbot.outcome_facts.changed"  # a `Session.info` key: ({conversation id}, {bot message id})
BATCH = 1000  # conversations refreshed per query in `backfill`
FACT_ROLES = ("customer", "bot")  # the messages the facts are worked out from


def watch(session_factory):
    """Keep the outcome facts of every conversation the sessions of `session_factory` change current."""
    event.listen(session_factory, "after_flush", _note_changes)
    event.listen(session_factory, "before_commit", _write_changes)
    event.listen(session_factory, "after_rollback", _forget_changes)


def _note_changes(session, _flush_context):
    """Mark the conversations of the customer's and the bot's messages, the votes and the handoffs
    begun or deleted that this flush wrote. An agent's reply and a handoff's triage (status, assignee)
    change no fact: the reports read a handoff as it is now."""
    conversations, messages = session.info.setdefault(CHANGED, (set(), set()))
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Message) and row.role in FACT_ROLES:
            conversations.add(row.conversation_id)
        elif isinstance(row, Handoff) and row not in session.dirty:
            conversations.add(row.conversation_id)
        elif isinstance(row, Feedback) and row.message_id is not None:
            messages.add(row.message_id)


def _write_changes(session):
    """Refresh the marked conversations' facts, in the transaction being committed."""
    session.flush()  # the commit's own flush comes after this hook: what is pending marks its conversations now
    if CHANGED not in session.info:
        return
    conversations, messages = session.info.pop(CHANGED)
    if messages:
        conversations |= set(session.scalars(select(Message.conversation_id).where(Message.id.in_(messages))))
    conversations.discard(None)
    if conversations:
        refresh(session, conversations)


def _forget_changes(session):
    session.info.pop(CHANGED, None)


def refresh(session: Session, conversation_ids):
    """Work out and store the facts of these conversations from their full records; the caller commits.

    Ids of conversations that no longer exist are ignored (their facts went with them). Each
    conversation's row is locked first (on databases that lock rows), so two transactions changing
    one conversation at once refresh its facts one after the other, the second from the first's data.
    """
    ids = sorted(conversation_ids)
    session.execute(select(Conversation.id).where(Conversation.id.in_(ids)).with_for_update()).all()
    rows = []
    for record in conversation_records(session, ids):
        customer_messages, facts = stored(conversation_facts(record))
        rows.append({"conversation_id": record.id, "customer_messages": customer_messages, "facts": facts})
    if rows:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        upsert = dialect.insert(OutcomeFacts)
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=[OutcomeFacts.conversation_id],
                set_={"customer_messages": upsert.excluded.customer_messages, "facts": upsert.excluded.facts},
            ),
            rows,
        )


def backfill(session: Session):
    """Store the facts of every conversation, `BATCH` at a time: the number of conversations. The
    caller commits."""
    ids = session.scalars(select(Conversation.id).order_by(Conversation.id)).all()
    for start in range(0, len(ids), BATCH):
        refresh(session, ids[start : start + BATCH])
    return len(ids)
