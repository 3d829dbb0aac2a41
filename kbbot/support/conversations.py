"""Conversations: the records of a chat, and one turn at a time (`reply`).

`reply` stores the customer's message, asks the engine (with the question a follow-up leans on),
lets `decisions` decide what the bot says, and stores the bot's reply with its whole decision.
"""

import secrets
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..errors import Conflict, NotFound
from ..models import Conversation, Feedback, HandoffStatus, Message, utcnow
from ..search.confidence import Action
from . import decisions, handoffs, sla


def new_public_id():
    return secrets.token_urlsafe(16)


def get(session: Session, public_id) -> Conversation:
    """Any conversation by its public id (staff access)."""
    conversation = session.execute(
        select(Conversation).where(Conversation.public_id == public_id)
    ).scalar_one_or_none()
    if conversation is None:
        raise NotFound("conversation not found")
    return conversation


def get_for_visitor(session: Session, public_id, visitor_id) -> Conversation:
    """The visitor's conversation; the same NotFound for an unknown id and another visitor's conversation."""
    conversation = get(session, public_id)
    if conversation.visitor_id != visitor_id:
        raise NotFound("conversation not found")
    return conversation


def start(session: Session, visitor_id, page_url=None, locale=None, user_agent=None) -> Conversation:
    """A new conversation, added to `session` and written with its first turn (`reply`)."""
    conversation = Conversation(
        public_id=new_public_id(),
        visitor_id=visitor_id,
        page_url=page_url,
        locale=locale,
        user_agent=(user_agent or "")[:500] or None,
    )
    session.add(conversation)
    return conversation


@dataclass
class Turn:
    """What one call to `reply` produced."""

    customer_message: Message
    bot_message: Message | None  # None when the message waits for a person (see `decisions`)


def reply(
    session: Session, engine, conversation: Conversation, text, url_for_article, choice=None, policy=None
) -> Turn:
    """Store the customer's `text` and the bot's reply to it (if the bot may reply).

    `choice`: (slug, anchor) of a choice the bot offered earlier in the conversation, which the
    customer picked; `text` is then ignored, the message reads as the choice's label, and the bot
    answers with that section. A choice not offered raises `Conflict`.
    `url_for_article(slug)` gives the link a customer follows to an article. After a handoff, the
    customer waits for an agent's reply, due by the SLA `policy` (`sla.Policy`; None: nothing is due).
    Commits; queues the chat events.

    The reply is worked out before anything is written: on SQLite the first write of a transaction
    takes the database's one write lock until the commit, and an answer takes the model seconds
    under load, long enough for every other writer to give up waiting ("database is locked").
    """
    with session.no_autoflush:  # a new `conversation` is written with the turn, not before the answer
        history = list(conversation.messages)
        picked = None
        if choice is not None:
            picked = decisions.offered_choice(history, *choice)
            if picked is None:
                raise Conflict("the choice was not offered in this conversation")
            text = decisions.choice_label(picked)
        handoff = conversation.handoff
        decision = _decision(session, engine, history, text, picked, handoff, url_for_article)
    customer = add_customer_message(session, conversation, text, picked, policy=policy)
    if decision is None:
        return _passed_on(session, customer)
    return _add_bot_reply(session, conversation, customer, decision)


def _decision(session: Session, engine, history, text, picked, handoff, url_for_article):
    """What the bot says to the customer's `text` (or `picked` choice) after `history`, or None when the
    message waits for a person. Only reads."""
    if handoff is not None and handoff.first_reply_at is not None:
        return None  # a person has replied: the bot never talks over them
    if picked is not None:
        answer = engine.section_answer(session, picked["slug"], picked["anchor"])
        if answer is not None:
            return decisions.picked_answer(answer, picked, text, url_for_article)
        # Unpublished since it was offered: the label is the customer's question now.
    social = decisions.social_reply(history, text, picked)
    if social is not None:
        # "thanks" while waiting for a person is for the person
        return social if handoff is None else None
    return decisions.decide(
        history,
        text,
        understand(session, engine, history, text),
        voted_down=_voted_down(session, history),
        waiting_for_person=handoff is not None,
        url_for_article=url_for_article,
    )


def understand(session: Session, engine, history, text):
    """The engine's answer to `text`, read together with the question it follows when it is a
    follow-up (`decisions.is_follow_up`).

    A follow-up refines the topic in the knowledge base's own words; a word the knowledge base
    never uses ("and what about the weather?") means a new topic, and one answered on its own from
    an article not answered yet is a new aspect found elsewhere ("and on mobile?": the mobile app's
    article), answered from the part of it the customer was not shown yet.
    """
    questions = decisions.previous_questions(history)
    said_it_failed = decisions.reports_failure(text)
    answer = engine.ask(session, text)
    if not questions or not decisions.is_follow_up(text):
        return answer
    if not said_it_failed and (answer.evidence is None or answer.evidence.known_share != 1.0):
        return answer
    topic, shown = decisions.topic_question(questions), decisions.answered_sections(history)
    new_aspect = (
        not said_it_failed
        and answer.action == Action.ANSWER
        and answer.sources[0].article_id not in decisions.answered_articles(history)
    )
    if new_aspect:
        return engine.ask(session, text, context=topic, shown=shown, context_for="sections")
    in_context = engine.ask(session, text, context=topic, shown=shown)
    return in_context if in_context.confidence > answer.confidence else answer


def _voted_down(session: Session, history):
    """The ids of the bot's messages in `history` that the customer voted "not helpful"."""
    bot_ids = [m.id for m in history if m.role == "bot"]
    if not bot_ids:
        return frozenset()
    found = session.execute(
        select(Feedback.message_id).where(Feedback.message_id.in_(bot_ids), Feedback.helpful.is_(False))
    )
    return frozenset(found.scalars())


def add_customer_message(session: Session, conversation, text, picked=None, event="chat_question", policy=None):
    """Store a customer's message (from the chat, or an email: `event` says which) and put a resolved
    handoff back in the queue, so the agent sees it as any message of theirs; after a handoff the
    customer then waits for a reply, due by the SLA `policy`. The caller commits."""
    customer = Message(
        conversation=conversation,
        role="customer",
        text=text,
        choice={"slug": picked["slug"], "anchor": picked["anchor"]} if picked else None,
    )
    session.add(customer)
    conversation.last_message_at = utcnow()
    session.flush()
    events.record_in(conversation, event, message_id=customer.id)
    handoff = conversation.handoff
    if handoff is not None and handoff.status == HandoffStatus.RESOLVED:
        handoffs.reopen(session, handoff)
    if handoff is not None:
        sla.customer_waits(handoff, policy, customer.created_at)
    return customer


def _passed_on(session: Session, customer):
    """The turn of a message that waits for a person: stored, with no bot reply."""
    session.commit()
    return Turn(customer, None)


def _add_bot_reply(session: Session, conversation, customer, decision):
    """Store the bot's reply (`decision`) and log it: the decision, a pick, an offer of a person."""
    fields = asdict(decision)
    picked = fields.pop("picked")
    bot = Message(
        conversation=conversation,
        role="bot",
        in_reply_to_id=customer.id,
        handoff_offered=decision.offer_reason is not None,
        **fields,
    )
    session.add(bot)
    session.commit()
    if picked:
        events.record_in(
            conversation, "choice_picked", message_id=bot.id, article_id=bot.article_id, section=bot.section
        )
    if bot.action is not None:
        events.record_in(
            conversation,
            "bot_decision",
            message_id=bot.id,
            article_id=bot.article_id,
            action=bot.action,
            confidence=bot.confidence,
        )
    if decision.offer_reason is not None:
        events.record_in(conversation, "handoff_offered", message_id=bot.id, reason=decision.offer_reason)
    return Turn(customer, bot)


def end(session: Session, conversation: Conversation):
    """Mark the conversation ended (the customer closed it); idempotent."""
    if conversation.ended_at is None:
        conversation.ended_at = utcnow()
        session.commit()
        events.record_in(conversation, "conversation_end")


def transcript(session: Session, conversation: Conversation, after=0):
    """The conversation's messages with an id greater than the cursor `after`, oldest first.

    Read from the database past the cursor: the widget polls with it while a person is on the way.
    """
    return (
        session.execute(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.id > after)
            .order_by(Message.id)
        )
        .scalars()
        .all()
    )
