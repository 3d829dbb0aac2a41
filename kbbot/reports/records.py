"""Records: what the definitions read, independent of the database."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from ..models import HandoffStatus
from ..search.confidence import Action


@dataclass(frozen=True)
class BotReply:
    """A bot decision (an `Action`), with its top article and the votes on it.

    `article_id` is the cited article of an answer, the first suggested one
    otherwise, None when nothing relevant was found; `votes` are the
    helpful flags of the feedback given on this message; `offer_reason` why
    it offered a person (`models.HANDOFF_REASONS`), None when it did not;
    `choices` how many choices a suggestion offered the customer to pick.
    """

    message_id: int
    action: str
    article_id: int | None = None
    votes: tuple[bool, ...] = ()
    offer_reason: str | None = None
    sent_at: datetime | None = None
    offered: tuple[int, ...] = ()  # the articles it listed as sources, best first (the cited one too)
    choices: int = 0


@dataclass(frozen=True)
class Question:
    """A customer message, with the bot's reply to it (None when the bot did not reply).

    `picked_from`: the message id of the bot reply whose choice the customer
    picked with this message (its text is then the choice's label, not words
    they typed); None for a message they typed.
    """

    message_id: int
    text: str
    asked_at: datetime
    reply: BotReply | None = None
    picked_from: int | None = None

    @property
    def picked(self):
        return self.picked_from is not None


@dataclass(frozen=True)
class HandoffRecord:
    """A handoff; `message`: what the customer wrote with it; `gap_question`: the question the agent
    named as the content gap when they resolved it as `article_missing`, None when they did not;
    `repliers`: the agents who replied in it, by their first reply; `first_replier_id`: who wrote its
    first agent reply (None: nobody yet, or an account since deleted)."""

    reason: str
    status: HandoffStatus
    created_at: datetime
    first_reply_at: datetime | None = None
    resolution_reason: str | None = None
    message: str = ""
    gap_question: str | None = None
    assignee_id: int | None = None
    first_replier_id: int | None = None
    repliers: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReplyTargetRecord:
    """An SLA target that ended (`models.ReplyTarget`): which reply, when, whether it was met, the agent
    whose reply ended it (None: resolving did) and its handoff's assignee."""

    awaited: str  # "first_reply" | "next_reply"
    ended_at: datetime
    met: bool
    agent_id: int | None = None
    assignee_id: int | None = None


@dataclass(frozen=True)
class ConversationRecord:
    """One conversation: its customer messages in order, its bot decisions in order and its handoff."""

    id: int
    visitor_id: str
    started_at: datetime
    last_message_at: datetime
    questions: tuple[Question, ...] = ()
    replies: tuple[BotReply, ...] = ()
    handoff: HandoffRecord | None = None

    @property
    def answers(self):
        return [reply for reply in self.replies if reply.action == Action.ANSWER]

    @property
    def topics(self):
        """The top articles of its bot replies: what the conversation was about."""
        return {reply.article_id for reply in self.replies if reply.article_id is not None}

    @property
    def bot_questions(self):
        """The questions the customer typed to the bot: their messages the bot replied to, neither
        those written to an agent after a handoff nor picks of the bot's choices."""
        return [question for question in self.questions if question.reply is not None and not question.picked]


MICROSECOND = timedelta(microseconds=1)


class ShownArticles(NamedTuple):
    """What one bot reply showed, for article performance: when (whole microseconds after its
    conversation started: `ConversationFacts.moment`), the article it cited (an answer; None
    otherwise), every article it showed (cited, suggested or listed as a source), and the votes on it
    (counted only for a cited article)."""

    sent_after: int | None
    cited: int | None
    shown: tuple[int, ...]
    votes: int = 0
    helpful: int = 0


@dataclass(frozen=True)
class ConversationFacts:
    """One conversation as the report definitions judge it: its outcome facts (`facts.conversation_facts`
    of its `ConversationRecord`), kept in the database as they happen, with its handoff as it is now.

    Article ids are those of the bot replies' top, cited and shown articles (`BotReply`).
    """

    id: int
    visitor_id: str
    started_at: datetime
    last_message_at: datetime
    handoff: HandoffRecord | None = None
    customer_messages: int = 0
    questions: tuple[str, ...] = ()  # the customer questions (`ConversationRecord.bot_questions`), normalized
    replies: int = 0
    answers: int = 0
    suggestions: int = 0  # replies that offered choices
    suggestions_picked: int = 0  # of those, the ones the customer picked a choice of
    answer_votes: tuple[bool, ...] = ()  # the votes on its answers
    confirmed: bool = False  # `transcript.confirmed`
    said_no: bool = False  # `transcript.said_no`
    answered: frozenset[int] = frozenset()  # the articles its answers cited
    topics: frozenset[int] = frozenset()  # `ConversationRecord.topics`
    # `transcript.asked_about`, each moment as microseconds after the start
    asked: tuple[tuple[int, int], ...] = ()
    shown: tuple[ShownArticles, ...] = ()  # the replies that showed an article
    question_gaps: tuple[tuple[int, str], ...] = ()  # `transcript.question_gaps`
    behind: tuple[int, str] | None = None  # `transcript.question_behind`

    def moment(self, microseconds):
        """The moment `microseconds` after the conversation started (None: None)."""
        return None if microseconds is None else self.started_at + microseconds * MICROSECOND


class SurveyAnswer(NamedTuple):  # a tuple: light, as a report reads one per survey answer
    conversation_id: int
    kind: str  # "csat" | "ces" | "nps"
    score: int | None = None  # CSAT 1-5, NPS 0-10
    choice: str | None = None  # CES: "easy" | "neither" | "difficult"


class VisitorAction(NamedTuple):  # a tuple: light, as a report reads one per help-center event
    """Something one visitor did, and when: a help-center event, an article view or a search
    (`Records.visits`), or asking for a person, a handoff created (`ArticleActivity.contacts`)."""

    visitor_id: str
    at: datetime


class ArticleView(NamedTuple):  # a tuple: light, as a report reads one per article view
    """An `article_view` event: a help-center or widget reader opened the article."""

    article_id: int
    visitor_id: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class ArticleActivity:
    """The help center's side of article performance, for one period.

    `views`: article views in the period; `votes`: (article_id, helpful) of
    the votes on articles (not on bot answers) given in the period;
    `contacts`: handoffs created in the period or up to the contact window
    after it; `articles`: article id -> (slug, title) of every article named.
    """

    views: tuple[ArticleView, ...] = ()
    votes: tuple[tuple[int, bool], ...] = ()
    contacts: tuple[VisitorAction, ...] = ()
    articles: dict[int, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Records:
    """Everything `summarize` reads about a period, as `read_records` found it in the database."""

    conversations: list[ConversationRecord]
    surveys: list[SurveyAnswer]
    visits: list[VisitorAction]
    activity: ArticleActivity
    targets: tuple["ReplyTargetRecord", ...] = ()  # the SLA targets that ended in the period
    agents: dict[int, str] | None = None  # {agent id: name} of the agents named; None: no per-agent figures
