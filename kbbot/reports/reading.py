"""Reading the records of a period from the database: with `full_records`, the reports' only SQL.

Conversations are read as their stored outcome facts (`facts.from_stored`), one row each, with their
handoffs as they are now; not as their messages.
"""

from sqlalchemy import func, select
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
    last_started, last_message = session.execute(
        select(func.max(Conversation.started_at), func.max(Conversation.last_message_at))
        .join(OutcomeFacts, OutcomeFacts.conversation_id == Conversation.id)
        .where(*period)
    ).one()
    if last_started is not None:
        # Later conversations matter up to the end of the last window the period opens.
        horizon = max(
            as_utc(last_started) + settings.repeat_window, as_utc(last_message) + settings.deflection_window
        )
        visitors = select(Conversation.visitor_id).join(OutcomeFacts).where(*period)
        loaded = select(Conversation.id).where(
            Conversation.visitor_id.in_(visitors),
            Conversation.started_at <= horizon,
            # A conversation whose last message came before the period holds no return and no repeat
            # contact of a counted one: those come after a counted conversation's start.
            Conversation.last_message_at >= since,
        )
        conversations = _conversation_facts(session, loaded)
    else:
        conversations = []
    surveys = [
        SurveyAnswer(conversation_id, kind, score, choice)
        for conversation_id, kind, score, choice in session.execute(
            select(
                SurveyResponse.conversation_id,
                SurveyResponse.kind,
                SurveyResponse.score,
                SurveyResponse.choice,
            ).where(
                SurveyResponse.conversation_id.in_(select(Conversation.id).join(OutcomeFacts).where(*period))
            )
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
    latest = max([until, *(shown.sent_at for c in conversations for shown in c.shown if shown.sent_at)])
    contacts = tuple(
        VisitorAction(visitor_id, created_at)
        for visitor_id, created_at in session.execute(
            select(Conversation.visitor_id, Handoff.created_at)
            .join(Handoff, Handoff.conversation_id == Conversation.id)
            .where(Handoff.created_at >= since, Handoff.created_at <= latest + settings.contact_window)
        )
    )
    named = {view.article_id for view in views} | {article_id for article_id, _ in votes}
    named |= {article_id for c in conversations for shown in c.shown for article_id in shown.shown}
    articles = {
        article_id: (slug, title)
        for article_id, slug, title in session.execute(
            select(Article.id, Article.slug, Article.title).where(Article.id.in_(named))
        )
    }
    return ArticleActivity(views, votes, contacts, articles)


def _conversation_facts(session, conversation_ids):
    """`ConversationFacts` of the conversations whose ids `conversation_ids` (a subquery) selects, by id."""
    handoffs = full_records.handoffs(session, conversation_ids)
    articles = set(session.scalars(select(Article.id)))
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
            .where(Conversation.id.in_(conversation_ids))
            .order_by(Conversation.id)
        )
    ]
