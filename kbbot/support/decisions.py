"""What the bot does with a customer's message, in the context of the turns before it: pure rules.

`conversations.reply` asks the engine and stores; everything it decides is here, a function of the
conversation so far, the message and the engine's answer:
- small talk (a greeting, thanks, "ok", goodbye, with nothing asked) gets a
  social reply, not a search: it is no question the knowledge base failed;
- a customer who asks for a person, or says yes when the bot offered one,
  gets the handoff path at once;
- a follow-up ("and on mobile?", "it still fails") is retrieved together with
  the question it follows, and the more confident reading wins;
- an article the customer says did not work is not offered to them again;
- two unhelpful turns in a row (a reply that was not an answer, an answer
  voted "not helpful", or a reply the customer says did not work) make the
  bot offer a person, and so does "None of these" after its choices;
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
from dataclasses import dataclass, field

from ..models import HandoffReason
from ..search.confidence import Action
from . import replies
from .small_talk import accepts, social_kind

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
    r"|\bnot working\b"
    # the whole message, after choices: none of them is it (the widget's "None of these")
    r"|^\W*(none of (these|those|them|the above)|neither( of (these|those|them))?)\W*$",
    re.IGNORECASE,
)
_FOLLOW_UP_OPENING = re.compile(
    r"^\W*(and|but|also|or|what about|how about|same|then|so|ok|okay)\b", re.IGNORECASE
)
_ANAPHORA = re.compile(r"\b(it|that|this|they|them|there|those|these|one)\b", re.IGNORECASE)
FOLLOW_UP_MAX_WORDS = 8
# The sources shown with a reply: at most this many, and besides an answer's cited article only those
# scoring at least this much relative to it (weaker ones are not worth a customer's click).
MAX_SOURCES = 3
MIN_SOURCE_SCORE = 0.5


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


def question_behind_handoff(turns):
    """The customer's question a handoff is about, or None when there is none.

    `turns`: (item, text, picked, helped) of the customer's messages before the handoff, oldest first;
    `picked`: a pick of one of the bot's choices; `helped`: the customer voted the bot's answer to it
    helpful. It is the latest message that asked something (`asks_something`), unless an answer the
    customer voted helpful settled it (an answer to a pick settles the question before it; "it still
    fails" unsettles it again). Returns that turn's `item`.
    """
    question, settled = None, False
    for item, text, picked, helped in turns:
        if not picked and asks_something(text):
            question, settled = item, helped
        elif picked and helped:
            settled = True
        elif reports_failure(text):
            settled = False
    return None if settled else question


def previous_questions(history):
    """What the customer typed before, oldest first (picks of a choice are not questions)."""
    return [m.text for m in history if m.role == "customer" and m.choice is None]


def took_the_offer(history, text):
    """Whether `text` says yes to the person the bot's last reply offered."""
    offered_a_person = bool(history) and history[-1].role == "bot" and history[-1].handoff_offered
    return offered_a_person and accepts(text)


def shown_sources(action, records):
    """The source records (`{"slug", "score", ...}`) the customer is shown with a reply: an answer's
    cited article and the others that score well enough, a suggestion's choices, none with a handoff."""
    if action == Action.ANSWER:
        return records[:1] + [
            record for record in records[1:MAX_SOURCES] if record["score"] >= MIN_SOURCE_SCORE
        ]
    if action == Action.SUGGEST:
        return records[:MAX_SOURCES]
    return []


def offer_reason(action, asked_for_human, previous_unhelpful, this_unhelpful):
    """Why the bot offers a person on this turn, or None when it does not."""
    if asked_for_human:
        return HandoffReason.CUSTOMER_REQUEST
    if previous_unhelpful and this_unhelpful:
        return HandoffReason.REPEATED_UNHELPFUL
    if action == Action.HANDOFF:
        return HandoffReason.LOW_CONFIDENCE
    return None


def answer_with_link(passage, title, url):
    """The answer text: the passage, then a Markdown link to the whole article. Brackets and
    backslashes in the title are escaped, so "Dark mode [beta]" still makes one link."""
    label = re.sub(r"([\[\]\\])", r"\\\1", title)
    return f"{passage}\n\n{replies.READ_MORE}: [{label}]({url})"


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
        if m.role == "bot" and m.action == Action.ANSWER and m.sources and m.anchor is not None
    )


def answered_articles(messages):
    """The ids of the articles the bot has already answered from in these messages."""
    return {
        m.article_id
        for m in messages
        if m.role == "bot" and m.action == Action.ANSWER and m.article_id is not None
    }


def offered_choice(messages, slug, anchor):
    """The choice record (slug, anchor) of the latest bot reply that offered it, or None."""
    for message in reversed(messages):
        for choice in (message.choices or []) if message.role == "bot" else []:
            if choice["slug"] == slug and choice["anchor"] == anchor:
                return choice
    return None


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


def was_unhelpful(bot_message, next_text, voted_down):
    """A bot turn that did not help: not an answer, its answer was voted "not helpful" (its id is in
    `voted_down`), or the customer's next message (`next_text`) says it did not work."""
    if bot_message.action != Action.ANSWER or reports_failure(next_text):
        return True
    return bot_message.id in voted_down


def failed_slugs(judged):
    """The articles the customer said did not work: an answer's cited article, or every article a
    suggestion offered, when the customer's next message reported a failure."""
    failed = set()
    for bot_message, next_text in judged:
        if reports_failure(next_text):
            records = bot_message.sources or []
            cited_only = bot_message.action == Action.ANSWER
            failed.update(record["slug"] for record in records[: 1 if cited_only else None])
    return failed


@dataclass(frozen=True)
class Decision:
    """The bot's reply to one message, as it is stored (the bot's `Message` fields)."""

    text: str
    action: Action | None = None  # None for a social reply
    query: str | None = None
    confidence: float | None = None
    section_confidence: float | None = None
    section: str | None = None
    anchor: str | None = None
    sources: list[dict] = field(default_factory=list)
    choices: list[dict] | None = None
    article_id: int | None = None
    revision_id: int | None = None
    offer_reason: HandoffReason | None = None
    picked: bool = False  # the answer to a picked choice


def social_reply(history, text, picked):
    """The social reply when `text` is small talk (and not a yes to an offered person, nor a pick)."""
    if picked or took_the_offer(history, text):
        return None
    kind = social_kind(text)
    return None if kind is None else Decision(text=replies.SOCIAL[kind])


def source_record(source, url_for_article):
    """How a source the customer is shown is stored with the reply."""
    return {
        "slug": source.slug,
        "title": source.title,
        "url": url_for_article(source.slug),
        "snippet": source.snippet,
        "score": source.score,
        "revision_id": source.revision_id,
    }


def choice_record(choice, url_for_article):
    """How a choice ("Which of these?") is stored with the reply."""
    return {
        "slug": choice.slug,
        "title": choice.title,
        "section": choice.section,
        "anchor": choice.anchor,
        "url": section_url(url_for_article(choice.slug), choice.anchor),
        "probability": choice.probability,
    }


def picked_answer(answer, picked, question, url_for_article):
    """The answer to a picked choice: the section picked, quoted. Its confidences are those the choice
    was offered with."""
    source = answer.sources[0]
    record = source_record(source, url_for_article)
    record["url"] = section_url(record["url"], answer.anchor)
    return Decision(
        text=answer_with_link(answer.answer, source.title, record["url"]),
        action=Action.ANSWER,
        query=question,
        confidence=picked["probability"],
        section_confidence=picked["probability"],
        section=answer.section,
        anchor=answer.anchor,
        sources=[record],
        choices=[],
        article_id=source.article_id,
        revision_id=source.revision_id,
        picked=True,
    )


def decide(history, text, answer, voted_down, waiting_for_person, url_for_article):
    """The bot's reply to `text` given the engine's `answer` (`engine.Answer`), or None when the message
    waits for a person without one.

    `history`: the conversation's messages before `text`; `voted_down`: ids of the bot's messages
    voted "not helpful"; `waiting_for_person`: the conversation is handed off.
    """
    asked_for_human = took_the_offer(history, text) or asks_for_human(text)
    said_it_failed = reports_failure(text)
    action = answer.action
    judged = judged_replies(history, text)
    failed = failed_slugs(judged)
    offered = [source for source in answer.sources if source.slug not in failed]
    if action == Action.ANSWER and offered[:1] != answer.sources[:1]:
        action = Action.SUGGEST if offered else Action.HANDOFF  # the customer said this article did not work
    this_unhelpful = action != Action.ANSWER
    previous_unhelpful = (
        (this_unhelpful or said_it_failed)
        and not asked_for_human
        and bool(judged)
        and was_unhelpful(*judged[-1], voted_down)
    )
    if said_it_failed and previous_unhelpful and _no_more_tries(judged, voted_down):
        action, this_unhelpful = Action.HANDOFF, True
    reason = offer_reason(action, asked_for_human, previous_unhelpful, this_unhelpful)
    if asked_for_human:
        action = Action.HANDOFF

    sources = shown_sources(action, [source_record(source, url_for_article) for source in offered])
    choices = []
    if action == Action.SUGGEST:
        choices = [choice_record(c, url_for_article) for c in answer.choices if c.slug not in failed]
    top = offered[0] if sources else None
    answered = action == Action.ANSWER and top is not None
    if waiting_for_person and not (answered and top.article_id not in answered_articles(history)):
        return None  # nothing new to say while the customer waits for a person
    if answered:
        sources[0]["url"] = section_url(sources[0]["url"], answer.anchor)
    return Decision(
        text=_reply_text(action, reason, answer, top, sources, choices, said_it_failed and bool(failed)),
        action=action,
        query=answer.question,
        confidence=round(answer.confidence, 4),
        section_confidence=round(answer.section_confidence, 4),
        section=answer.section if answered else None,
        anchor=answer.anchor if answered else None,
        sources=sources,
        choices=choices,
        article_id=top.article_id if top else None,
        revision_id=top.revision_id if top else None,
        offer_reason=reason,
    )


def _no_more_tries(judged, voted_down):
    """After a failure report: two replies in a row did not help, or the last one offered the bot's
    best choices ("None of these"), so a third try would only guess again."""
    return judged[-1][0].action == Action.SUGGEST or (len(judged) > 1 and was_unhelpful(*judged[-2], voted_down))


def _reply_text(action, reason, answer, top, sources, choices, other_articles):
    """What the bot says: the offer of a person, the quoted section, or the words above its choices."""
    if reason is not None and action == Action.HANDOFF:
        return replies.OFFER[reason]
    if action == Action.ANSWER and top is not None:
        return answer_with_link(answer.answer, top.title, sources[0]["url"])
    if action == Action.SUGGEST:
        offer = f" {replies.OFFER[reason]}" if reason else ""
        if other_articles:
            return replies.OTHER_ARTICLES + (f" {replies.OFFER_AFTER_OTHER_ARTICLES}" if reason else "")
        if choices and len({c["slug"] for c in choices}) == 1:
            return replies.SECTION_CHOICES + offer
        return replies.SUGGEST + offer
    return replies.OFFER[HandoffReason.LOW_CONFIDENCE]
