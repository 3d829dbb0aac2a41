"""Reading the records from the database: the reports' only SQL."""

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Article,
    Conversation,
    Event,
    Feedback,
    Handoff,
    Message,
    ReplyTarget,
    Revision,
    SurveyResponse,
    User,
)
from ..support import transcripts
from .periods import as_utc
from .records import (
    ArticleActivity,
    ArticleView,
    BotReply,
    ConversationRecord,
    HandoffRecord,
    Question,
    Records,
    ReplyTargetRecord,
    SurveyAnswer,
    VisitorAction,
)

HELP_CENTER_EVENTS = ("article_view", "search")


def read_records(session: Session, since, until, settings) -> Records:
    """What `summarize` needs for [since, until) (or any part of it), read from the database."""
    since, until = as_utc(since), as_utc(until)
    has_customer_message = (
        select(Message.id)
        .where(Message.conversation_id == Conversation.id, Message.role == "customer")
        .exists()
    )
    period = (Conversation.started_at >= since, Conversation.started_at < until, has_customer_message)
    last_started, last_message = session.execute(
        select(func.max(Conversation.started_at), func.max(Conversation.last_message_at)).where(*period)
    ).one()
    if last_started is not None:
        # Later conversations matter up to the end of the last window the period opens.
        horizon = max(
            as_utc(last_started) + settings.repeat_window, as_utc(last_message) + settings.deflection_window
        )
        visitors = select(Conversation.visitor_id).where(*period)
        loaded = select(Conversation.id).where(
            Conversation.visitor_id.in_(visitors),
            Conversation.started_at <= horizon,
            # A conversation whose last message came before the period holds no return and no repeat
            # contact of a counted one: those come after a counted conversation's start.
            Conversation.last_message_at >= since,
        )
        conversations = _conversation_records(session, loaded)
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
            ).where(SurveyResponse.conversation_id.in_(select(Conversation.id).where(*period)))
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


def _repliers(session, conversation_ids):
    """{conversation id: {"repliers": the authors of its agent messages, each once, by first reply,
    "first_replier_id": its first agent message's author (None: deleted)}} of the selected conversations."""
    authors = defaultdict(list)
    for conversation_id, author_id in session.execute(
        select(Message.conversation_id, Message.author_id)
        .where(Message.conversation_id.in_(conversation_ids), Message.role == "agent")
        .order_by(Message.id)
    ):
        authors[conversation_id].append(author_id)
    return {
        conversation_id: {
            "repliers": tuple(dict.fromkeys(a for a in found if a is not None)),
            "first_replier_id": found[0],
        }
        for conversation_id, found in authors.items()
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
    latest = max([until, *(r.sent_at for c in conversations for r in c.replies if r.sent_at)])
    contacts = tuple(
        VisitorAction(visitor_id, created_at)
        for visitor_id, created_at in session.execute(
            select(Conversation.visitor_id, Handoff.created_at)
            .join(Handoff, Handoff.conversation_id == Conversation.id)
            .where(Handoff.created_at >= since, Handoff.created_at <= latest + settings.contact_window)
        )
    )
    named = {view.article_id for view in views} | {article_id for article_id, _ in votes}
    named |= {
        a for c in conversations for r in c.replies for a in (r.article_id, *r.offered) if a is not None
    }
    articles = {
        article_id: (slug, title)
        for article_id, slug, title in session.execute(
            select(Article.id, Article.slug, Article.title).where(Article.id.in_(named))
        )
    }
    return ArticleActivity(views, votes, contacts, articles)


def _conversation_records(session, conversation_ids):
    """`ConversationRecord`s of the conversations whose ids `conversation_ids` (a subquery) selects."""
    messages = transcripts.turns(
        session, conversation_ids, Message.article_id, Message.offer_reason, Message.sources, Message.choices
    )
    votes = _votes(session, conversation_ids)
    offered = _source_articles(session, [m.sources for m in messages if m.role == "bot" and m.action])
    replies, reply_to, choices_offered = _bot_replies(messages, votes, offered)
    questions = _customer_questions(messages, reply_to, choices_offered)
    handoffs = _handoffs(session, conversation_ids)
    return [
        ConversationRecord(
            id=id_,
            visitor_id=visitor_id,
            started_at=started_at,
            last_message_at=last_message_at,
            questions=tuple(questions[id_]),
            replies=tuple(replies[id_]),
            handoff=handoffs.get(id_),
        )
        for id_, visitor_id, started_at, last_message_at in session.execute(
            select(
                Conversation.id,
                Conversation.visitor_id,
                Conversation.started_at,
                Conversation.last_message_at,
            )
            .where(Conversation.id.in_(conversation_ids))
            .order_by(Conversation.id)
        )
    ]


def _handoffs(session, conversation_ids):
    """{conversation id: its `HandoffRecord`} of the selected conversations."""
    found = session.execute(
        select(
            Handoff.id,
            Handoff.conversation_id,
            Handoff.reason,
            Handoff.status,
            Handoff.created_at,
            Handoff.first_reply_at,
            Handoff.resolution_reason,
            Handoff.message,
            Handoff.assignee_id,
        ).where(Handoff.conversation_id.in_(conversation_ids))
    ).all()
    gap_questions = _gap_questions(session, [h.id for h in found if h.resolution_reason == "article_missing"])
    repliers = _repliers(session, conversation_ids)
    return {
        handoff.conversation_id: HandoffRecord(
            reason=handoff.reason,
            status=handoff.status,
            created_at=handoff.created_at,
            first_reply_at=handoff.first_reply_at,
            resolution_reason=handoff.resolution_reason,
            message=handoff.message or "",
            gap_question=gap_questions.get(handoff.id),
            assignee_id=handoff.assignee_id,
            **repliers.get(handoff.conversation_id, {}),
        )
        for handoff in found
    }


def _gap_questions(session, handoff_ids):
    """{handoff id: the gap question the agent named when they last resolved it} of `handoff_ids`."""
    named = {}
    for handoff_id, data in session.execute(
        select(Event.handoff_id, Event.data)
        .where(Event.type == "handoff_resolved", Event.handoff_id.in_(handoff_ids))
        .order_by(Event.id)
    ):
        named[handoff_id] = (data or {}).get("gap_question")
    return {handoff_id: question for handoff_id, question in named.items() if question}


def _votes(session, conversation_ids):
    """{bot message id: [helpful, ...] of its votes, oldest first} in the selected conversations."""
    votes = defaultdict(list)
    for message_id, helpful in session.execute(
        select(Feedback.message_id, Feedback.helpful)
        .where(
            Feedback.message_id.in_(
                select(Message.id).where(Message.conversation_id.in_(conversation_ids), Message.role == "bot")
            )
        )
        .order_by(Feedback.id)
    ):
        votes[message_id].append(helpful)
    return votes


def _bot_replies(messages, votes, offered):
    """({conversation id: its `BotReply`s}, {customer message id: the first reply to it},
    {conversation id: (message id, {(slug, anchor)}) of its replies with choices, oldest first}).

    `votes`: `_votes`; `offered`: `_source_articles`' function from a message's sources to article ids.
    """
    replies = defaultdict(list)
    reply_to = {}
    choices_offered = defaultdict(list)
    for message in messages:
        # A bot message without an action (a greeting, a notice) is not a decision.
        if message.role == "bot" and message.action is not None:
            reply = BotReply(
                message.id,
                message.action,
                message.article_id,
                tuple(votes[message.id]),
                message.offer_reason,
                sent_at=message.created_at,
                offered=offered(message.sources),
                choices=len(message.choices or ()),
            )
            replies[message.conversation_id].append(reply)
            if message.choices:
                choices_offered[message.conversation_id].append(
                    (message.id, {(choice["slug"], choice["anchor"]) for choice in message.choices})
                )
            if message.in_reply_to_id is not None:
                reply_to.setdefault(message.in_reply_to_id, reply)
    return replies, reply_to, choices_offered


def _customer_questions(messages, reply_to, choices_offered):
    """{conversation id: its customers' `Question`s}, with the replies and choices of `_bot_replies`."""
    questions = defaultdict(list)
    for message in messages:
        if message.role == "customer":
            questions[message.conversation_id].append(
                Question(
                    message.id,
                    message.text,
                    message.created_at,
                    reply_to.get(message.id),
                    picked_from=_offered_by(choices_offered[message.conversation_id], message),
                )
            )
    return questions


def _offered_by(choices_offered, message):
    """The id of the latest bot reply before customer `message` that offered the choice it picked (as
    `decisions.offered_choice` finds it); None for a typed message.

    `choices_offered`: (message id, {(slug, anchor)}) of the conversation's replies with choices, oldest first.
    """
    if not message.choice:
        return None
    picked = (message.choice["slug"], message.choice["anchor"])
    return next(
        (
            offered_id
            for offered_id, choices in reversed(choices_offered)
            if offered_id < message.id and picked in choices
        ),
        None,
    )


def _source_articles(session, source_lists):
    """A function from a bot message's `sources` to the ids of their articles, best first.

    A source names the revision it showed (which survives slug changes) and
    the article's slug; sources of deleted articles are left out.
    """
    sources = [source for sources in source_lists for source in sources or ()]
    revision_ids = {source.get("revision_id") for source in sources} - {None}
    slugs = {source.get("slug") for source in sources} - {None}
    by_revision = dict(
        session.execute(select(Revision.id, Revision.article_id).where(Revision.id.in_(revision_ids))).all()
    )
    by_slug = dict(session.execute(select(Article.slug, Article.id).where(Article.slug.in_(slugs))).all())

    def articles(sources):
        found = (
            by_revision.get(source.get("revision_id")) or by_slug.get(source.get("slug"))
            for source in sources or ()
        )
        return tuple(dict.fromkeys(article_id for article_id in found if article_id is not None))

    return articles
