"""Helpful votes ("was this helpful?") on bot answers and on articles.

One vote per visitor and target; voting again replaces the earlier vote (a
customer who clicked the wrong button can correct it). A "not helpful" vote on
a bot answer makes the bot offer a person.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import events
from ..errors import NotFound
from ..models import Article, Conversation, Feedback, HandoffReason, Message, utcnow


def _vote(session, visitor_id, helpful, comment, **target):
    """Insert or replace the visitor's vote on `target` (message_id=... or article_id=...)."""
    ((column, value),) = target.items()
    for attempt in range(2):
        feedback = session.execute(
            select(Feedback).where(Feedback.visitor_id == visitor_id, getattr(Feedback, column) == value)
        ).scalar_one_or_none()
        if feedback is None:
            feedback = Feedback(visitor_id=visitor_id, **target)
            session.add(feedback)
        feedback.helpful = helpful
        feedback.comment = comment
        feedback.created_at = utcnow()
        try:
            session.commit()
            return feedback
        except IntegrityError:  # a simultaneous first vote won the insert: update that one
            session.rollback()
            if attempt:
                raise


def on_answer(session: Session, visitor_id, message_id, helpful, comment=""):
    """Vote on one of the visitor's own bot answers: (feedback, handoff offered)."""
    message = session.get(Message, message_id)
    if message is None or message.role != "bot" or message.conversation.visitor_id != visitor_id:
        raise NotFound("message not found")
    feedback = _vote(session, visitor_id, helpful, comment, message_id=message.id)
    conversation: Conversation = message.conversation
    events.record_in(
        conversation,
        "feedback",
        message_id=message.id,
        article_id=message.article_id,
        helpful=helpful,
    )
    offered = not helpful and conversation.handoff is None
    if offered:
        events.record_in(
            conversation,
            "handoff_offered",
            message_id=message.id,
            reason=HandoffReason.NEGATIVE_FEEDBACK,
        )
    return feedback, offered


def on_article(session: Session, visitor_id, slug, helpful, comment=""):
    article = session.execute(
        select(Article).where(Article.slug == slug, Article.status == "published")
    ).scalar_one_or_none()
    if article is None:
        raise NotFound("article not found")
    feedback = _vote(session, visitor_id, helpful, comment, article_id=article.id)
    events.record(session, "feedback", visitor_id=visitor_id, article_id=article.id, helpful=helpful)
    return feedback
