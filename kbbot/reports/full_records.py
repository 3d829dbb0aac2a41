"""Reading full conversation records (`records.ConversationRecord`) from the database: every customer
and bot message of some conversations with their votes, choices, sources and handoffs.

What the definitions that need the customer's words read (`facts.conversation_facts`), when a
conversation changes and when its facts are rebuilt (`kbbot.support.outcome_facts`); a report reads
the stored facts instead (`reading`), and its handoffs from here.
"""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Article, Conversation, Event, Feedback, Handoff, Message, Revision
from ..support import transcripts
from .records import BotReply, ConversationRecord, HandoffRecord, Question


def conversation_records(session: Session, conversation_ids):
    """`ConversationRecord`s of the conversations whose ids `conversation_ids` (a subquery) selects."""
    messages = transcripts.turns(
        session, conversation_ids, Message.article_id, Message.offer_reason, Message.sources, Message.choices
    )
    votes = _votes(session, conversation_ids)
    offered = _source_articles(session, [m.sources for m in messages if m.role == "bot" and m.action])
    replies, reply_to, choices_offered = _bot_replies(messages, votes, offered)
    questions = _customer_questions(messages, reply_to, choices_offered)
    found_handoffs = handoffs(session, conversation_ids)
    return [
        ConversationRecord(
            id=id_,
            visitor_id=visitor_id,
            started_at=started_at,
            last_message_at=last_message_at,
            questions=tuple(questions[id_]),
            replies=tuple(replies[id_]),
            handoff=found_handoffs.get(id_),
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


# What a `HandoffRecord` is made of, besides its agents and gap question (`handoff_records`).
HANDOFF_COLUMNS = (
    Handoff.id,
    Handoff.conversation_id,
    Handoff.reason,
    Handoff.status,
    Handoff.created_at,
    Handoff.first_reply_at,
    Handoff.resolution_reason,
    Handoff.message,
    Handoff.assignee_id,
)
BATCH = 5000  # ids per query where ids are listed, well within every database's limit on parameters


def handoffs(session: Session, conversation_ids):
    """{conversation id: its `HandoffRecord`} of the selected conversations (ids or a subquery)."""
    found = session.execute(select(*HANDOFF_COLUMNS).where(Handoff.conversation_id.in_(conversation_ids)))
    return handoff_records(session, found.all())


def handoff_records(session: Session, found):
    """{conversation id: its `HandoffRecord`} of handoff rows of `HANDOFF_COLUMNS`."""
    gap_questions = _gap_questions(session, [h.id for h in found if h.resolution_reason == "article_missing"])
    repliers = _repliers(session, [h.conversation_id for h in found])
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
    for start in range(0, len(handoff_ids), BATCH):
        for handoff_id, data in session.execute(
            select(Event.handoff_id, Event.data)
            .where(Event.type == "handoff_resolved", Event.handoff_id.in_(handoff_ids[start : start + BATCH]))
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


def _repliers(session, conversation_ids):
    """{conversation id: {"repliers": the authors of its agent messages, each once, by first reply,
    "first_replier_id": its first agent message's author (None: deleted)}} of these conversations."""
    authors = defaultdict(list)
    for start in range(0, len(conversation_ids), BATCH):
        for conversation_id, author_id in session.execute(
            select(Message.conversation_id, Message.author_id)
            .where(
                Message.conversation_id.in_(conversation_ids[start : start + BATCH]), Message.role == "agent"
            )
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
