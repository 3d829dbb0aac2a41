"""Each conversation's outcome facts: what the report definitions need of it, worked out once from its
full record (`conversation_facts`) when it changes, and stored (`stored`, read back by `from_stored`).

The definitions that read the customer's words are in `transcript`; everything that compares a
conversation with others (the same question again, a repeat contact) or depends on when a report
is made (a pending deflection) is judged at report time from these facts (`deflection`).
"""

from datetime import datetime

from ..search.confidence import Action
from . import transcript
from .records import ConversationFacts, ConversationRecord, ShownArticles


def conversation_facts(record: ConversationRecord) -> ConversationFacts:
    """The `ConversationFacts` of a full `ConversationRecord`."""
    offering_choices = {reply.message_id for reply in record.replies if reply.choices}
    picked_from = {question.picked_from for question in record.questions if question.picked}
    return ConversationFacts(
        id=record.id,
        visitor_id=record.visitor_id,
        started_at=record.started_at,
        last_message_at=record.last_message_at,
        handoff=record.handoff,
        customer_messages=len(record.questions),
        questions=tuple(question.text for question in record.bot_questions),
        replies=len(record.replies),
        answers=len(record.answers),
        suggestions=len(offering_choices),
        suggestions_picked=len(picked_from & offering_choices),
        answer_votes=tuple(vote for answer in record.answers for vote in answer.votes),
        confirmed=transcript.confirmed(record),
        said_no=transcript.said_no(record),
        answered=frozenset(a.article_id for a in record.answers if a.article_id is not None),
        topics=frozenset(record.topics),
        asked=tuple(transcript.asked_about(record)),
        shown=tuple(_shown(record)),
        question_gaps=tuple(transcript.question_gaps(record)),
        behind=transcript.question_behind(record),
    )


def _shown(record):
    """The `ShownArticles` of each of its bot replies that showed an article."""
    for reply in record.replies:
        cited = reply.article_id if reply.action == Action.ANSWER else None
        shown = tuple(sorted(set(reply.offered) | {reply.article_id} - {None}))
        if shown:
            votes = reply.votes if cited is not None else ()
            yield ShownArticles(reply.sent_at, cited, shown, len(votes), sum(votes))


def as_facts(conversation) -> ConversationFacts:
    """`conversation`'s facts: itself when it is a `ConversationFacts`, else those of its full record."""
    return conversation if isinstance(conversation, ConversationFacts) else conversation_facts(conversation)


def stored(facts: ConversationFacts):
    """(customer messages, JSON-ready dict) of `facts` as the database keeps them, without what the
    conversation's own row or its handoff hold."""
    return facts.customer_messages, {
        "questions": list(facts.questions),
        "counts": [facts.replies, facts.answers, facts.suggestions, facts.suggestions_picked],
        "votes": [int(vote) for vote in facts.answer_votes],
        "confirmed": facts.confirmed,
        "said_no": facts.said_no,
        "answered": sorted(facts.answered),
        "topics": sorted(facts.topics),
        "asked": [[_moment(at), article_id] for at, article_id in facts.asked],
        "shown": [[_moment(s.sent_at), s.cited, list(s.shown), s.votes, s.helpful] for s in facts.shown],
        "gaps": [list(gap) for gap in facts.question_gaps],
        "behind": list(facts.behind) if facts.behind is not None else None,
    }


# Long on purpose: one `ConversationFacts(...)` of every stored fact, each read back beside its name.
def from_stored(id_, visitor_id, started_at, last_message_at, handoff, customer_messages, data, articles):
    """The `ConversationFacts` that `stored` wrote, with the conversation's own row and its `handoff`.

    `articles`: the ids of the articles that exist now; a deleted article is left out, as a full
    record leaves it out (its messages lose it).
    """
    answered, topics = frozenset(data["answered"]), frozenset(data["topics"])
    asked = tuple((_at(at), article_id) for at, article_id in data["asked"])
    shown = tuple(
        ShownArticles(_at(at), cited, tuple(ids), votes, helpful)
        for at, cited, ids, votes, helpful in data["shown"]
    )
    if not (answered | topics) <= articles or any(not set(s.shown) <= articles for s in shown):
        answered, topics = answered & articles, topics & articles
        asked = tuple((at, article_id) for at, article_id in asked if article_id in articles)
        shown = tuple(_without_deleted(s, articles) for s in shown)
    replies, answers, suggestions, suggestions_picked = data["counts"]
    behind = data["behind"]
    return ConversationFacts(
        id=id_,
        visitor_id=visitor_id,
        started_at=started_at,
        last_message_at=last_message_at,
        handoff=handoff,
        customer_messages=customer_messages,
        questions=tuple(data["questions"]),
        replies=replies,
        answers=answers,
        suggestions=suggestions,
        suggestions_picked=suggestions_picked,
        answer_votes=tuple(bool(vote) for vote in data["votes"]),
        confirmed=data["confirmed"],
        said_no=data["said_no"],
        answered=answered,
        topics=topics,
        asked=asked,
        shown=shown,
        question_gaps=tuple((message_id, text) for message_id, text in data["gaps"]),
        behind=(behind[0], behind[1]) if behind is not None else None,
    )


def _without_deleted(shown, articles):
    """`shown` without the articles not in `articles`: a deleted cited article takes its votes with it."""
    cited = shown.cited if shown.cited in articles else None
    votes, helpful = (shown.votes, shown.helpful) if cited is not None else (0, 0)
    return ShownArticles(shown.sent_at, cited, tuple(a for a in shown.shown if a in articles), votes, helpful)


def _moment(at):
    return at.isoformat() if at is not None else None


def _at(text):
    return datetime.fromisoformat(text) if text is not None else None
