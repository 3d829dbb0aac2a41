"""Conversations: one chat turn at a time, in the context of the turns before it.

`reply` stores the customer's message, decides what the bot does with it and
stores the bot's reply with its whole decision. The rules, each a pure
function below:
- small talk (a greeting, thanks, "ok", goodbye, with nothing asked) gets a
  social reply, not a search: it is no question the knowledge base failed;
- a customer who asks for a person, or says yes when the bot offered one,
  gets the handoff path at once;
- a follow-up ("and on mobile?", "it still fails") is retrieved together with
  the question it follows, and the more confident reading wins;
- an article the customer says did not work is not offered to them again;
- two unhelpful turns in a row (a reply that was not an answer, an answer
  voted "not helpful", or a reply the customer says did not work) make the
  bot offer a person;
- an answer quotes the section of the article that answers; when the bot is
  sure of the article but not of the section, or unsure of the article, it
  offers choices instead ("Which of these?"), and a pick is a turn of its own
  that the bot answers with the section picked;
- a follow-up is answered from another part of the article than the one the
  customer was already shown, when one fits the new message;
- a reply stores exactly the sources the customer is shown, so what agents and
  reports count as "sent" is what the customer saw;
- while the customer waits for a person, the bot replies only with an answer
  from an article it has not answered them from yet; anything else (more
  detail for the agent, a question it cannot answer, the same article again)
  waits for the person without a bot reply;
- once a person has replied to the handoff, the bot stays silent until the
  handoff is resolved: it never talks over an agent.
"""

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..errors import InvalidInput, NotFound
from ..models import Conversation, Feedback, Message, utcnow
from . import handoffs
from .small_talk import REPLIES as SMALL_TALK_REPLIES
from .small_talk import accepts, social_kind

ANSWER, SUGGEST, HANDOFF = "answer", "suggest", "handoff"

_PERSON = (
    r"(human|person|people|agent|someone|somebody|representative|rep|operator|staff|real person|support team)"
)
_HUMAN_REQUEST = re.compile(
    rf"\b(talk|speak|chat|connect|transfer|put)\b.{{0,30}}\b(to|with|me)\b.{{0,20}}\b{_PERSON}\b"
    rf"|^\W*(an? |the )?{_PERSON}\W*(please|pls|now)?\W*$"
    rf"|\b(need|want|get|give)\b.{{0,12}}\b(an? |real |live )?{_PERSON}\b"
    r"|\b(this|you|bot)\b.{0,12}\b(is|are|'s|'re)\b.{0,10}\b(useless|not helpful|unhelpful|stupid|no help)\b"
    r"|^\W*(useless|not helpful)\W*$",
    re.IGNORECASE,
)
_FAILURE_REPORT = re.compile(
    r"\b(still|again)\b.{0,30}\b(fails?|failing|error|broken|not work\w*|doesn'?t work|does not work|same)\b"
    r"|\b(didn'?t|did not|doesn'?t|does not)\s+(help|work|fix)"
    r"|\bnot working\b",
    re.IGNORECASE,
)
_FOLLOW_UP_OPENING = re.compile(
    r"^\W*(and|but|also|or|what about|how about|same|then|so|ok|okay)\b", re.IGNORECASE
)
_ANAPHORA = re.compile(r"\b(it|that|this|they|them|there|those|these|one)\b", re.IGNORECASE)
FOLLOW_UP_MAX_WORDS = 8

OFFER_TEXT = {
    "customer_request": "Of course. Leave your email and a message, and a person from our support team will reply.",
    "low_confidence": (
        "I couldn't find this in our help center. A person from our support team can help: "
        "leave your email and a message."
    ),
    "repeated_unhelpful": (
        "Sorry this hasn't solved it yet. Would you like a person from our support team to take over? "
        "Leave your email and a message."
    ),
}
SUGGEST_TEXT = "I'm not sure I've understood. Is it one of these? If not, try rephrasing your question."
SECTION_CHOICES_TEXT = "Which of these do you mean?"
# After the customer said the last reply did not work: the bot understood, it has other articles.
OTHER_ARTICLES_TEXT = "Sorry that didn't work. Do any of these articles help instead?"
OFFER_AFTER_OTHER_ARTICLES = (
    "If not, a person from our support team can take over: leave your email and a message."
)
# The sources shown with a reply: at most this many, and besides an answer's cited article only those
# scoring at least this much relative to it (weaker ones are not worth a customer's click).
MAX_SOURCES = 3
MIN_SOURCE_SCORE = 0.5
WAITING_FOR_AGENT = "Your message has been passed to our support team; a person will reply here."


def asks_for_human(message):
    """Whether the customer is asking for a person (or telling the bot it is useless)."""
    return bool(_HUMAN_REQUEST.search(message))


def reports_failure(message):
    """Whether the customer says the previous answer did not work ("it still fails")."""
    return bool(_FAILURE_REPORT.search(message))


def is_follow_up(message):
    """Whether the message leans on the previous turn: "and on mobile?", "does that work for teams?"."""
    words = message.split()
    if _FOLLOW_UP_OPENING.search(message) or reports_failure(message):
        return True
    return len(words) <= FOLLOW_UP_MAX_WORDS and bool(_ANAPHORA.search(message))


def asks_something(message):
    """Whether the message asks about something: it neither only says the last reply failed ("it
    still fails"), nor asks for a person, nor is small talk. Such messages are about the question
    before them, if any."""
    return not reports_failure(message) and not asks_for_human(message) and social_kind(message) is None


def topic_question(previous_questions):
    """The latest earlier message that asked something (`asks_something`): "it still fails" after
    "it still fails" is about the first question."""
    for text in reversed(previous_questions):
        if asks_something(text):
            return text
    return previous_questions[-1] if previous_questions else None


def shown_sources(action, records):
    """The source records (`{"slug", "score", ...}`) the customer is shown with a reply: an answer's
    cited article and the others that score well enough, a suggestion's choices, none with a handoff."""
    if action == ANSWER:
        return records[:1] + [
            record for record in records[1:MAX_SOURCES] if record["score"] >= MIN_SOURCE_SCORE
        ]
    if action == SUGGEST:
        return records[:MAX_SOURCES]
    return []


def offer_reason(action, asked_for_human, previous_unhelpful, this_unhelpful):
    """Why the bot offers a person on this turn, or None when it does not."""
    if asked_for_human:
        return "customer_request"
    if previous_unhelpful and this_unhelpful:
        return "repeated_unhelpful"
    if action == HANDOFF:
        return "low_confidence"
    return None


def answer_with_link(passage, title, url):
    """The answer text: the passage, then a Markdown link to the whole article. Brackets and
    backslashes in the title are escaped, so "Dark mode [beta]" still makes one link."""
    label = re.sub(r"([\[\]\\])", r"\\\1", title)
    return f"{passage}\n\nRead the full article: [{label}]({url})"


def section_url(url, anchor):
    """An article's `url` opened at the section `anchor` ("" for the top)."""
    return f"{url}#{anchor}" if anchor else url


def choice_label(choice):
    """What a choice reads as, and what the customer's message says when they pick it: the section's
    heading, or the article's title for its introduction."""
    return choice["section"] or choice["title"]


def answered_sections(messages):
    """(slug, anchor) of every section the bot has answered with in these messages."""
    return frozenset(
        (m.sources[0]["slug"], m.anchor or "")
        for m in messages
        if m.role == "bot" and m.action == ANSWER and m.sources and m.anchor is not None
    )


def offered_choice(messages, slug, anchor):
    """The choice record (slug, anchor) of the latest bot reply that offered it, or None."""
    for message in reversed(messages):
        for choice in (message.choices or []) if message.role == "bot" else []:
            if choice["slug"] == slug and choice["anchor"] == anchor:
                return choice
    return None


# -- records -------------------------------------------------------------------


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
    conversation = Conversation(
        public_id=new_public_id(),
        visitor_id=visitor_id,
        page_url=page_url,
        locale=locale,
        user_agent=(user_agent or "")[:500] or None,
    )
    session.add(conversation)
    session.flush()
    return conversation


def was_unhelpful(session: Session, bot_message: Message, next_text=None):
    """A bot turn that did not help: not an answer, its answer was voted "not helpful", or the
    customer's next message (`next_text`) says it did not work."""
    if bot_message.action != ANSWER or (next_text is not None and reports_failure(next_text)):
        return True
    voted_down = session.execute(
        select(Feedback.id).where(Feedback.message_id == bot_message.id, Feedback.helpful.is_(False))
    ).first()
    return voted_down is not None


def judged_replies(messages, text):
    """(bot reply, the customer's next message) for each of the bot's decisions in `messages`, oldest
    first; the latest one is judged by `text`, the message being answered now."""
    judged, waiting = [], None
    for message in messages:
        if message.role == "bot" and message.action is not None:
            waiting = message
        elif message.role == "customer" and waiting is not None:
            judged.append((waiting, message.text))
            waiting = None
    if waiting is not None:
        judged.append((waiting, text))
    return judged


def failed_slugs(judged):
    """The articles the customer said did not work: an answer's cited article, or every article a
    suggestion offered, when the customer's next message reported a failure."""
    failed = set()
    for bot_message, next_text in judged:
        if reports_failure(next_text):
            records = bot_message.sources or []
            failed.update(record["slug"] for record in records[: 1 if bot_message.action == ANSWER else None])
    return failed


@dataclass
class Turn:
    """What one call to `reply` produced."""

    customer_message: Message
    bot_message: Message | None  # None when the message waits for a person (see `reply`)


def answered_articles(messages):
    """The ids of the articles the bot has already answered from in these messages."""
    return {
        m.article_id for m in messages if m.role == "bot" and m.action == ANSWER and m.article_id is not None
    }


def _passed_on(session, customer):
    """The turn of a message that waits for a person: stored, with no bot reply."""
    session.commit()
    return Turn(customer, None)


def _source_record(source, url_for_article):
    return {
        "slug": source.slug,
        "title": source.title,
        "url": url_for_article(source.slug),
        "snippet": source.snippet,
        "score": source.score,
        "revision_id": source.revision_id,
    }


def _choice_record(choice, url_for_article):
    return {
        "slug": choice.slug,
        "title": choice.title,
        "section": choice.section,
        "anchor": choice.anchor,
        "url": section_url(url_for_article(choice.slug), choice.anchor),
        "probability": choice.probability,
    }


def reply(session: Session, engine, conversation: Conversation, text, url_for_article, choice=None) -> Turn:
    """Store the customer's `text` and the bot's reply to it (if the bot may reply).

    `choice`: (slug, anchor) of a choice the bot offered earlier in the conversation, which the
    customer picked; `text` is then ignored, the message reads as the choice's label, and the bot
    answers with that section. A choice not offered raises `InvalidInput`.
    `url_for_article(slug)` gives the link a customer follows to an article.
    Commits; queues the chat events.
    """
    history = list(conversation.messages)
    picked = None
    if choice is not None:
        picked = offered_choice(history, *choice)
        if picked is None:
            raise InvalidInput("choice", "was not offered in this conversation")
        text = choice_label(picked)
    previous_questions = [m.text for m in history if m.role == "customer" and m.choice is None]
    customer = Message(
        conversation=conversation,
        role="customer",
        text=text,
        choice={"slug": picked["slug"], "anchor": picked["anchor"]} if picked else None,
    )
    session.add(customer)
    conversation.last_message_at = utcnow()
    session.flush()
    events.record_in(
        conversation,
        "chat_question",
        message_id=customer.id,
    )

    handoff = conversation.handoff
    if handoff is not None:
        if handoff.status == "resolved":
            handoffs.reopen(session, handoff)
        if handoff.first_reply_at is not None:
            return _passed_on(session, customer)
    if picked is not None:
        answer = engine.section_answer(session, picked["slug"], picked["anchor"])
        if answer is not None:
            return _answer_picked(session, conversation, customer, answer, picked, url_for_article)
        # Unpublished since it was offered: the label is the customer's question now.
    offered_a_person = bool(history) and history[-1].role == "bot" and history[-1].handoff_offered
    took_the_offer = offered_a_person and accepts(text)
    social = None if took_the_offer or picked else social_kind(text)
    if social is not None:
        if handoff is not None:  # "thanks" while waiting for a person is for the person
            return _passed_on(session, customer)
        bot = Message(
            conversation=conversation, role="bot", text=SMALL_TALK_REPLIES[social], in_reply_to_id=customer.id
        )
        session.add(bot)
        session.commit()
        return Turn(customer, bot)

    asked_for_human = took_the_offer or asks_for_human(text)
    said_it_failed = reports_failure(text)
    follow_up = bool(previous_questions) and is_follow_up(text)
    answer = engine.ask(session, text)
    # A follow-up refines the topic in the knowledge base's own words; a word the
    # knowledge base never uses ("and what about the weather?") means a new topic, and
    # one answered on its own from an article not answered yet is a new aspect found
    # elsewhere ("and on mobile?": the mobile app's article).
    if follow_up and (said_it_failed or (answer.evidence is not None and answer.evidence.known_share == 1.0)):
        topic, shown = topic_question(previous_questions), answered_sections(history)
        if (
            not said_it_failed
            and answer.action == ANSWER
            and answer.sources[0].article_id not in answered_articles(history)
        ):
            answer = engine.ask(session, text, context=topic, shown=shown, context_for="sections")
        else:
            in_context = engine.ask(session, text, context=topic, shown=shown)
            if in_context.confidence > answer.confidence:
                answer = in_context

    action = answer.action
    judged = judged_replies(history, text)
    failed = failed_slugs(judged)
    offered = [source for source in answer.sources if source.slug not in failed]
    if action == ANSWER and offered[:1] != answer.sources[:1]:
        action = SUGGEST if offered else HANDOFF  # the customer said this article did not work
    this_unhelpful = action != ANSWER
    # Only asked when it matters: it may read the customer's votes from the database.
    previous_unhelpful = (
        (this_unhelpful or said_it_failed)
        and not asked_for_human
        and bool(judged)
        and was_unhelpful(session, *judged[-1])
    )
    if said_it_failed and previous_unhelpful and len(judged) > 1 and was_unhelpful(session, *judged[-2]):
        action, this_unhelpful = HANDOFF, True  # two replies in a row did not help: no third try
    reason = offer_reason(action, asked_for_human, previous_unhelpful, this_unhelpful)
    if asked_for_human:
        action = HANDOFF

    sources = shown_sources(action, [_source_record(source, url_for_article) for source in offered])
    choices = []
    if action == SUGGEST:
        choices = [_choice_record(c, url_for_article) for c in answer.choices if c.slug not in failed]
    top = offered[0] if sources else None
    if handoff is not None and not (
        action == ANSWER and top is not None and top.article_id not in answered_articles(history)
    ):
        return _passed_on(session, customer)  # nothing new to say while the customer waits for a person
    if reason is not None and action == HANDOFF:
        bot_text = OFFER_TEXT[reason]
    elif action == ANSWER and top is not None:
        sources[0]["url"] = section_url(sources[0]["url"], answer.anchor)
        bot_text = answer_with_link(answer.answer, top.title, sources[0]["url"])
    elif action == SUGGEST:
        if said_it_failed and failed:
            bot_text = OTHER_ARTICLES_TEXT + (f" {OFFER_AFTER_OTHER_ARTICLES}" if reason else "")
        elif choices and len({c["slug"] for c in choices}) == 1:
            bot_text = SECTION_CHOICES_TEXT + (f" {OFFER_TEXT[reason]}" if reason else "")
        else:
            bot_text = SUGGEST_TEXT + (f" {OFFER_TEXT[reason]}" if reason else "")
    else:
        bot_text = OFFER_TEXT["low_confidence"]

    answered = action == ANSWER and top is not None
    bot = Message(
        conversation=conversation,
        role="bot",
        text=bot_text,
        in_reply_to_id=customer.id,
        query=answer.question,
        action=action,
        confidence=round(answer.confidence, 4),
        section_confidence=round(answer.section_confidence, 4),
        section=answer.section if answered else None,
        anchor=answer.anchor if answered else None,
        sources=sources,
        choices=choices,
        article_id=top.article_id if top else None,
        revision_id=top.revision_id if top else None,
        handoff_offered=reason is not None,
        offer_reason=reason,
    )
    session.add(bot)
    session.commit()
    _record_decision(conversation, bot)
    if reason is not None:
        events.record_in(
            conversation,
            "handoff_offered",
            message_id=bot.id,
            reason=reason,
        )
    return Turn(customer, bot)


def _answer_picked(session, conversation, customer, answer, picked, url_for_article):
    """The bot's answer to a picked choice: the section picked, quoted. Its confidences are those
    the choice was offered with; the event log records the pick."""
    source = answer.sources[0]
    record = _source_record(source, url_for_article)
    record["url"] = section_url(record["url"], answer.anchor)
    bot = Message(
        conversation=conversation,
        role="bot",
        text=answer_with_link(answer.answer, source.title, record["url"]),
        in_reply_to_id=customer.id,
        query=customer.text,
        action=ANSWER,
        confidence=picked["probability"],
        section_confidence=picked["probability"],
        section=answer.section,
        anchor=answer.anchor,
        sources=[record],
        choices=[],
        article_id=source.article_id,
        revision_id=source.revision_id,
    )
    session.add(bot)
    session.commit()
    events.record_in(
        conversation,
        "choice_picked",
        message_id=bot.id,
        article_id=source.article_id,
        section=answer.section,
    )
    _record_decision(conversation, bot)
    return Turn(customer, bot)


def _record_decision(conversation, bot):
    events.record_in(
        conversation,
        "bot_decision",
        message_id=bot.id,
        article_id=bot.article_id,
        action=bot.action,
        confidence=bot.confidence,
    )


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
