"""What the bot told customers from an article's older text.

Each bot message keeps the exact revision of the article it cited. After an
edit, the answers that cited a revision whose text has since changed are what
an editor needs to see: the customer's question, the bot's reply and what is
different in the article now.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..models import Article, Conversation, Message, Revision
from . import diffs
from .source import snapshot, source_of

RECENT_ANSWERS = 100  # the newest bot messages looked at per article


@dataclass(frozen=True)
class PastAnswer:
    conversation_id: str  # the conversation's public id
    question: str | None  # the customer's message the bot replied to
    answer: str  # what the bot said (Markdown, shown as text)
    at: datetime


@dataclass(frozen=True)
class OutdatedCitation:
    """The answers that cited one older revision, and what changed in the article since."""

    revision_number: int
    revision_at: datetime
    answers: tuple[PastAnswer, ...]  # newest first
    diff: diffs.Diff  # from the cited revision to the article now


def outdated_citations(session: Session, article: Article, limit=RECENT_ANSWERS):
    """Answers among the article's `limit` newest citations that cited text which has changed since.

    Grouped by cited revision, newest revision first. A revision that differs from
    the current article only in its status (unpublished, then published again) is not outdated.
    """
    current = article.current_revision
    question = aliased(Message)
    rows = session.execute(
        select(Message, question.text, Conversation.public_id)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .outerjoin(question, Message.in_reply_to_id == question.id)
        .where(
            Message.role == "bot",
            Message.article_id == article.id,
            Message.revision_id.is_not(None),
            Message.revision_id != current.id,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()
    by_revision = {}
    for message, question_text, conversation_id in rows:
        answer = PastAnswer(conversation_id, question_text, message.text, message.created_at)
        by_revision.setdefault(message.revision_id, []).append(answer)
    revisions = session.execute(select(Revision).where(Revision.id.in_(by_revision))).scalars()
    now = source_of(article)
    found = []
    for cited in sorted(revisions, key=lambda r: r.number, reverse=True):
        difference = diffs.diff(snapshot(cited, article.slug), now)
        if difference.content_changed:
            found.append(
                OutdatedCitation(cited.number, cited.created_at, tuple(by_revision[cited.id]), difference)
            )
    return found
