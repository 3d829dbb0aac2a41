"""Reading the records of a period from the database: with `full_records`, the reports' only SQL.

Conversations are read as their stored outcome facts (`facts.from_stored`), one row each, with their
handoffs as they are now; not as their messages.
"""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..models import (
    Article,
    Conversation,
    Event,
    Feedback,
    Handoff,
    OutcomeFacts,
    ReplyTarget,
    SurveyResponse,
    User,
)
from . import facts, full_records
from .periods import as_utc
from .records import (
    ArticleActivity,
    ArticleView,
    Records,
    ReplyTargetRecord,
    SurveyAnswer,
    VisitorAction,
)

HELP_CENTER_EVENTS = ("article_view", "search")


def read_records(session: Session, since, until, settings) -> Records:
    """What `summarize` needs for [since, until) (or any part of it), read from the database."""
    since, until = as_utc(since), as_utc(until)
    period = (
        Conversation.started_at >= since,
        Conversation.started_at < until,
        OutcomeFacts.customer_messages > 0,
    )
    articles = set(session.scalars(select(Article.id)))  # a deleted article's facts are left out
    found = _conversation_facts(session, period, articles)
    conversations = _with_history(session, found, since, until, settings, articles)
    surveys = [
        SurveyAnswer(conversation_id, kind, score, choice)
        for conversation_id, kind, score, choice in session.execute(
            select(
                SurveyResponse.conversation_id,
                SurveyResponse.kind,
                SurveyResponse.score,
                SurveyResponse.choice,
            )
            .join(Conversation, Conversation.id == SurveyResponse.conversation_id)
            .where(Conversation.started_at >= since, Conversation.started_at < until)
        )
    ]
    help_center = session.execute(
        select(Event.type, Event.article_id, Event.visitor_id, Event.occurred_at).where(
            Event.type.in_(HELP_CENTER_EVENTS), Event.occurred_at >= since, Event.occurred_at < until
        )
    ).all()
    visits = [VisitorAction(visitor_id, at) for _, _, visitor_id, at in help_center if visitor_id is not None]
    views = tuple(
        ArticleView(article_id, visitor_id, at)
        for type_, article_id, visitor_id, at in help_center
        if type_ == "article_view" and article_id is not None
    )
    targets = _reply_targets(session, since, until)
    return Records(
        conversations,
        surveys,
        visits,
        _article_activity(session, since, until, conversations, views, settings),
        targets,
        _agent_names(session, conversations, targets),
    )


def _with_history(session, conversations, since, until, settings, articles):
    """The period's `conversations` and, by id, their visitors' other conversations that can hold a
    return or a repeat contact of one of them (those come after a counted conversation's start):
    started after the period up to the end of the last window it opens, or before it with a message
    in it. Those without a customer message hold neither. `articles`: as `_conversation_facts` takes them."""
    if not conversations:
        return conversations
    horizon = max(
        max(c.started_at for c in conversations) + settings.repeat_window,
        max(c.last_message_at for c in conversations) + settings.deflection_window,
    )
    visitors = {c.visitor_id for c in conversations}
    later_or_earlier = or_(
        and_(Conversation.started_at >= until, Conversation.started_at <= horizon),
        and_(Conversation.started_at < since, Conversation.last_message_at >= since),
    )
    history = _conversation_facts(session, (later_or_earlier, OutcomeFacts.customer_messages > 0), articles)
    return sorted([*conversations, *(c for c in history if c.visitor_id in visitors)], key=lambda c: c.id)


def _reply_targets(session, since, until):
    """The SLA targets that ended in [since, until), with their handoffs' assignees."""
    return tuple(
        ReplyTargetRecord(*row)
        for row in session.execute(
            select(
                ReplyTarget.awaited,
                ReplyTarget.ended_at,
                ReplyTarget.met,
                ReplyTarget.agent_id,
                Handoff.assignee_id,
            )
            .join(Handoff, Handoff.id == ReplyTarget.handoff_id)
            .where(ReplyTarget.ended_at >= since, ReplyTarget.ended_at < until)
        )
    )


def _agent_names(session, conversations, targets):
    """{user id: name, else email} of every agent the handoffs and targets name."""
    named = {t.agent_id for t in targets} | {t.assignee_id for t in targets}
    for handoff in (c.handoff for c in conversations if c.handoff is not None):
        named |= {handoff.assignee_id, *handoff.repliers}
    return {
        user_id: name or email
        for user_id, name, email in session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(named - {None}))
        )
    }


def _article_activity(session, since, until, conversations, views, settings):
    """The article views given, the article votes and handoffs of [since, until), and the articles they name."""
    votes = tuple(
        (article_id, helpful)
        for article_id, helpful in session.execute(
            select(Feedback.article_id, Feedback.helpful).where(
                Feedback.article_id.is_not(None), Feedback.created_at >= since, Feedback.created_at < until
            )
        )
    )
    # A bot reply of a conversation that started in the period may come after it.
    sent = ((c, max((s[0] for s in c.shown if s[0] is not None), default=None)) for c in conversations)
    latest = max([until, *(c.moment(after) for c, after in sent if after is not None)])
    contacts = tuple(
        VisitorAction(visitor_id, created_at)
        for visitor_id, created_at in session.execute(
            select(Conversation.visitor_id, Handoff.created_at)
            .join(Handoff, Handoff.conversation_id == Conversation.id)
            .where(Handoff.created_at >= since, Handoff.created_at <= latest + settings.contact_window)
        )
    )
    named = {view.article_id for view in views} | {article_id for article_id, _ in votes}
    named |= {article_id for c in conversations for shown in c.shown for article_id in shown[2]}
    articles = {
        article_id: (slug, title)
        for article_id, slug, title in session.execute(
            select(Article.id, Article.slug, Article.title).where(Article.id.in_(named))
        )
    }
    return ArticleActivity(views, votes, contacts, articles)


def _conversation_facts(session, conditions, articles):
    """`ConversationFacts` of the conversations with stored facts that meet `conditions`, with their
    handoffs; `articles`: the ids of the articles that exist (`facts.from_stored`)."""
    handoffs = full_records.handoff_records(
        session,
        session.execute(
            select(*full_records.HANDOFF_COLUMNS)
            .join(Conversation, Conversation.id == Handoff.conversation_id)
            .join(OutcomeFacts, OutcomeFacts.conversation_id == Conversation.id)
            .where(*conditions)
        ).all(),
    )
    return [
        facts.from_stored(
            id_, visitor_id, started_at, last_message_at, handoffs.get(id_), messages, data, articles
        )
        for id_, visitor_id, started_at, last_message_at, messages, data in session.execute(
            select(
                Conversation.id,
                Conversation.visitor_id,
                Conversation.started_at,
                Conversation.last_message_at,
                OutcomeFacts.customer_messages,
                OutcomeFacts.facts,
            )
            .join(OutcomeFacts, OutcomeFacts.conversation_id == Conversation.id)
            .where(*conditions)
        )
    ]
