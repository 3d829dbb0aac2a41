"""Each conversation's outcome facts: what the report definitions need of it, worked out once from its
full record (`conversation_facts`) when it changes, and stored (`stored`, read back by `from_stored`).

The definitions that read the customer's words are in `transcript`; everything that compares a
conversation with others (the same question again, a repeat contact) or depends on when a report
is made (a pending deflection) is judged at report time from these facts (`deflection`).
"""

import json

from ..search.confidence import Action
from ..text import normalize_question
from . import transcript
from .records import MICROSECOND, ConversationFacts, ConversationRecord, ShownArticles


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
        questions=tuple(normalize_question(question.text) for question in record.bot_questions),
        replies=len(record.replies),
        answers=len(record.answers),
        suggestions=len(offering_choices),
        suggestions_picked=len(picked_from & offering_choices),
        answer_votes=tuple(vote for answer in record.answers for vote in answer.votes),
        confirmed=transcript.confirmed(record),
        said_no=transcript.said_no(record),
        answered=frozenset(a.article_id for a in record.answers if a.article_id is not None),
        topics=frozenset(record.topics),
        asked=tuple(
            (_offset(at, record.started_at), article) for at, article in transcript.asked_about(record)
        ),
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
            yield ShownArticles(
                _offset(reply.sent_at, record.started_at), cited, shown, len(votes), sum(votes)
            )


def as_facts(conversation) -> ConversationFacts:
    """`conversation`'s facts: itself when it is a `ConversationFacts`, else those of its full record."""
    return conversation if isinstance(conversation, ConversationFacts) else conversation_facts(conversation)


def stored(facts: ConversationFacts):
    """(customer messages, facts as text) of `facts` as the database keeps them, without what the
    conversation's own row or its handoff hold.

    The text is a compact JSON array (a report decodes one per conversation): the customer
    questions (normalized), [replies, answers, suggestions, suggestions picked], the votes on answers
    (1: helpful), confirmed, said no (1: true), the answered articles, the topics, `asked`, `shown`
    (`ShownArticles` as arrays), the question gaps [[message id, text]], the question behind the
    handoff ([message id, text] or null), and every article id named in these.
    """
    named = facts.topics.union(*(s.shown for s in facts.shown))
    return facts.customer_messages, json.dumps(
        [
            list(facts.questions),
            [facts.replies, facts.answers, facts.suggestions, facts.suggestions_picked],
            [int(vote) for vote in facts.answer_votes],
            int(facts.confirmed),
            int(facts.said_no),
            sorted(facts.answered),
            sorted(facts.topics),
            [list(asked) for asked in facts.asked],
            [[*s[:2], list(s.shown), *s[3:]] for s in facts.shown],
            [list(gap) for gap in facts.question_gaps],
            list(facts.behind) if facts.behind is not None else None,
            sorted(named),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


# Long on purpose: one `ConversationFacts(...)` of every stored fact, each read back beside its name.
def from_stored(id_, visitor_id, started_at, last_message_at, handoff, customer_messages, text, articles):
    """The `ConversationFacts` that `stored` wrote, with the conversation's own row and its `handoff`.

    What it decodes is used as decoded (arrays for tuples, 0 and 1 for flags): a report reads one per
    conversation. `articles`: the ids of the articles that exist now; a deleted article is left out,
    as a full record leaves it out (its messages lose it).
    """
    (questions, counts, votes, confirmed, said_no, answered, topics, asked, shown, gaps, behind, named) = (
        json.loads(text)
    )
    replies, answers, suggestions, suggestions_picked = counts
    answered, topics = frozenset(answered), frozenset(topics)
    if not articles.issuperset(named):
        answered, topics = answered & articles, topics & articles
        asked = [(offset, article_id) for offset, article_id in asked if article_id in articles]
        shown = [_without_deleted(ShownArticles(*s), articles) for s in shown]
    return ConversationFacts(
        id=id_,
        visitor_id=visitor_id,
        started_at=started_at,
        last_message_at=last_message_at,
        handoff=handoff,
        customer_messages=customer_messages,
        questions=questions,
        replies=replies,
        answers=answers,
        suggestions=suggestions,
        suggestions_picked=suggestions_picked,
        answer_votes=votes,
        confirmed=confirmed,
        said_no=said_no,
        answered=answered,
        topics=topics,
        asked=asked,
        shown=shown,
        question_gaps=gaps,
        behind=behind,
    )


def _without_deleted(shown, articles):
    """`shown` without the articles not in `articles`: a deleted cited article takes its votes with it."""
    cited = shown.cited if shown.cited in articles else None
    votes, helpful = (shown.votes, shown.helpful) if cited is not None else (0, 0)
    return ShownArticles(
        shown.sent_after, cited, tuple(a for a in shown.shown if a in articles), votes, helpful
    )


def _offset(at, start):
    """`at` as whole microseconds after `start` (exact, unlike a float timestamp); None stays None."""
    return None if at is None else (at - start) // MICROSECOND
