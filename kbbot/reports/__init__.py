"""Deflection and customer-experience figures for a period (`kbbot report`, the staff dashboard).

The definitions are in docs/metrics.md. Every figure is a pure function of
plain records (`ConversationRecord`, `SurveyAnswer`, `Visit`, `ArticleActivity`);
`summarize` applies the definitions to them, and `read_records` is the one
function that reads those records from the database: `build_report` (the
command line) and `trend` (the dashboard's charts) both summarize what it
read, so the command line and the dashboard always show the same numbers.
"""

import itertools
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    CES_CHOICES,
    HANDOFF_REASONS,
    Article,
    Conversation,
    Event,
    Feedback,
    Handoff,
    Message,
    Revision,
    SurveyResponse,
)
from ..search import topics
from ..support.conversations import asks_something, reports_failure
from ..support.small_talk import social_kind

OUTCOMES = ("handed_off", "deflected_confirmed", "deflected_assumed", "deflection_pending", "abandoned")
DEFLECTED = ("deflected_confirmed", "deflected_assumed")
HELP_CENTER_EVENTS = ("article_view", "search")
# Bot actions that show the knowledge base had no confident answer to a question; a handoff
# because the customer asked for a person shows nothing about the knowledge base.
GAP_ACTIONS = ("suggest", "handoff")
CSAT_SCALE = range(1, 6)
NPS_SCALE = range(11)
TRAILING_PUNCTUATION = " .?!,;:…。？！"
GRANULARITIES = ("day", "week")
# A report's period unless told (`kbbot report`, the dashboard): the last 30 days, today included.
DEFAULT_PERIOD_DAYS = 30
# The days a period may name: Python's dates run from 0001-01-01 to 9999-12-31, and a period's
# default start (30 days before its end), its Monday-to-Sunday weeks and the report's windows
# after its last day must fit inside.
EARLIEST_DAY, LATEST_DAY = date(2, 1, 1), date(9998, 12, 31)
# Up to this many days a trend is drawn day by day; a longer period week by week.
DAILY_TREND_MAX_DAYS = 31


def day_out_of_range(day):
    """Why `day` cannot bound a report period, or None when it can."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return f"{day} is out of range; choose a day from {EARLIEST_DAY} to {LATEST_DAY}"


@dataclass(frozen=True)
class ReportSettings:
    """The windows, threshold and limits of the definitions; `from_config` reads them from app settings."""

    deflection_window: timedelta
    repeat_window: timedelta
    topic_similarity: float  # cosine similarity in [-1, 1], see kbbot/search/topics.py
    session_gap: timedelta = timedelta(minutes=30)
    top_questions: int = 10
    content_gaps: int = 10
    examples: int = 3  # example questions shown per content-gap topic, besides its label
    # How soon after reading or being shown an article a handoff counts against it (article performance).
    contact_window: timedelta = timedelta(minutes=30)
    # When the report is made: an assumed deflection whose window is still open then is pending.
    # None: every window counts as closed.
    as_of: datetime | None = None

    @classmethod
    def from_config(cls, config):
        return cls(
            deflection_window=timedelta(hours=config["DEFLECTION_WINDOW_HOURS"]),
            repeat_window=timedelta(days=config["REPEAT_CONTACT_DAYS"]),
            topic_similarity=config["TOPIC_SIMILARITY"],
            as_of=datetime.now(UTC),
        )


# Records: what the definitions read, independent of the database.


@dataclass(frozen=True)
class BotReply:
    """A bot decision: "answer" | "suggest" | "handoff", with its top article and the votes on it.

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
    reason: str
    status: str  # "open" | "assigned" | "resolved"
    created_at: datetime
    first_reply_at: datetime | None = None
    resolution_reason: str | None = None


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
        return [reply for reply in self.replies if reply.action == "answer"]

    @property
    def topics(self):
        """The top articles of its bot replies: what the conversation was about."""
        return {reply.article_id for reply in self.replies if reply.article_id is not None}

    @property
    def bot_questions(self):
        """The questions the customer typed to the bot: their messages the bot replied to, neither
        those written to an agent after a handoff nor picks of the bot's choices."""
        return [question for question in self.questions if question.reply is not None and not question.picked]


@dataclass(frozen=True)
class SurveyAnswer:
    conversation_id: int
    kind: str  # "csat" | "ces" | "nps"
    score: int | None = None  # CSAT 1-5, NPS 0-10
    choice: str | None = None  # CES: "easy" | "neither" | "difficult"


@dataclass(frozen=True)
class Visit:
    """A help-center event (an article view or a search) by one visitor."""

    visitor_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class ArticleView:
    """An `article_view` event: a help-center or widget reader opened the article."""

    article_id: int
    visitor_id: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class Contact:
    """A visitor asked for a person: a handoff was created."""

    visitor_id: str
    created_at: datetime


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
    contacts: tuple[Contact, ...] = ()
    articles: dict[int, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Records:
    """Everything `summarize` reads about a period, as `read_records` found it in the database."""

    conversations: list[ConversationRecord]
    surveys: list[SurveyAnswer]
    visits: list[Visit]
    activity: ArticleActivity


# The report.


@dataclass(frozen=True)
class Outcomes:
    handed_off: int
    deflected_confirmed: int
    deflected_assumed: int
    deflection_pending: int  # would be assumed, but the visitor may still come back: not counted yet
    abandoned: int


@dataclass(frozen=True)
class Csat:
    responses: int
    average: float | None  # on the 1-5 scale
    distribution: dict[str, int]  # "1".."5" -> responses
    satisfied_rate: float | None  # share of 4 and 5, in [0, 1]: the "CSAT %"


@dataclass(frozen=True)
class Ces:
    responses: int
    distribution: dict[str, int]  # "easy" | "neither" | "difficult" -> responses


@dataclass(frozen=True)
class Nps:
    responses: int
    promoters: int  # 9-10
    passives: int  # 7-8
    detractors: int  # 0-6
    score: float | None  # % promoters - % detractors, in [-100, 100]


@dataclass(frozen=True)
class QuestionCount:
    question: str
    count: int


@dataclass(frozen=True)
class Topic:
    """Similar questions: the label (the most asked), how often they were asked, other phrasings."""

    label: str
    count: int
    examples: tuple[str, ...]
    # (slug, title) of the article the bot answers the label from when the report is made: a gap an
    # article has closed since (`with_current_answers`); None: still a gap, or not asked.
    answered_now_by: tuple[str, str] | None = None


@dataclass(frozen=True)
class ArticlePerformance:
    """One article's line in the deflection ledger of a period (definitions: docs/metrics.md)."""

    article_id: int
    slug: str
    title: str
    views: int  # help-center and widget article views
    cited: int  # bot answers citing it
    suggested: int  # bot replies listing it as a source without citing it
    article_votes: int  # votes on the article itself
    article_helpful: int
    answer_votes: int  # votes on the bot answers citing it
    answer_helpful: int
    resolved: int  # deflected conversations with an answer citing it
    reached: int  # visitors who viewed it or were shown it
    contacted: int  # of those, how many asked for a person within the contact window after
    contact_rate: float | None  # contacted / reached, in [0, 1]


@dataclass
class Report:
    """The figures of one period [since, until). Rates are in [0, 1]; None where the denominator is 0."""

    since: datetime
    until: datetime
    deflection_window_hours: float
    repeat_contact_days: float
    conversations: int
    customer_questions: int
    outcomes: Outcomes
    deflection_rate: float | None
    handoff_rate: float | None
    bot_replies: int
    answers: int
    answer_rate: float | None
    suggestions: int  # bot replies that offered choices to pick
    suggestions_picked: int  # of those, how many the customer picked a choice of
    pick_rate: float | None
    feedback: int
    helpful: int
    helpful_rate: float | None
    repeat_contacts: int
    repeat_contact_rate: float | None
    resolved: int
    resolved_without_repeat: int
    first_contact_resolution: float | None
    help_center_sessions: int
    self_service_score: float | None  # help-center sessions per handoff
    handoffs: int
    handoffs_by_reason: dict[str, int]
    median_first_reply_seconds: float | None
    csat: Csat
    ces: Ces
    nps: Nps
    top_questions: list[QuestionCount] = field(default_factory=list)
    content_gaps: list[Topic] = field(default_factory=list)
    articles: list[ArticlePerformance] = field(default_factory=list)
    contact_window_minutes: float = 30.0

    def as_dict(self):
        """The report as JSON-ready data (datetimes in ISO 8601)."""
        data = asdict(self)
        data["since"] = self.since.isoformat()
        data["until"] = self.until.isoformat()
        return data

    def as_text(self):
        """The report as an aligned plain-text table, for the command line."""
        return "\n".join(_text_lines(self))


# The definitions.


def normalize_question(text):
    """Lower case, whitespace collapsed, trailing punctuation stripped: "How do I  pay?" -> "how do i pay"."""
    return re.sub(r"\s+", " ", text.lower()).strip().rstrip(TRAILING_PUNCTUATION)


def in_period(conversation, since, until):
    """Counted in [since, until): started in the period, with at least one customer message."""
    return since <= conversation.started_at < until and bool(conversation.questions)


def came_back_with_same_question(conversation, visitor_conversations, window):
    """Whether the visitor asked one of its answered questions again in another conversation.

    "The same question" is a question the customer typed (not a pick of the
    bot's choices) whose bot reply has the same top article as one of this
    conversation's answers, asked after its last message and at most `window` later.
    """
    answered = {answer.article_id for answer in conversation.answers if answer.article_id is not None}
    if not answered:
        return False
    deadline = conversation.last_message_at + window
    return any(
        question.reply is not None
        and not question.picked
        and question.reply.article_id in answered
        and conversation.last_message_at < question.asked_at <= deadline
        for other in visitor_conversations
        if other.id != conversation.id
        for question in other.questions
    )


def outcome(conversation, visitor_conversations, deflection_window, as_of=None):
    """The conversation's outcome: "handed_off", "deflected_confirmed", "deflected_assumed",
    "deflection_pending" (its window is still open at `as_of`) or "abandoned".

    `visitor_conversations`: the visitor's other conversations (this one may be among them).
    """
    if conversation.handoff is not None:
        return "handed_off"
    votes = [vote for answer in conversation.answers for vote in answer.votes]
    if True in votes or thanked_for_an_answer(conversation) or any(kept_picks(conversation)):
        return "deflected_confirmed"
    if (
        conversation.answers
        and False not in votes
        and not said_an_answer_failed(conversation)
        and not came_back_with_same_question(conversation, visitor_conversations, deflection_window)
    ):
        window_open = as_of is not None and conversation.last_message_at + deflection_window > as_of
        return "deflection_pending" if window_open else "deflected_assumed"
    return "abandoned"


def replies_to_answers(conversation):
    """The customer's messages that came right after a bot answer: what they said of it.

    A pick of one of the bot's choices says nothing of the answer before it in words.
    """
    after_answer = False
    for question in conversation.questions:
        if after_answer and not question.picked:
            yield question.text
        after_answer = question.reply is not None and question.reply.action == "answer"


def kept_picks(conversation):
    """The customer's picks of the bot's choices that the bot answered and the customer kept: no
    "helpful: no" vote on that answer, and their next message does not say it failed."""
    questions = conversation.questions
    for question, following in zip(questions, (*questions[1:], None), strict=True):
        answer = question.reply
        if not question.picked or answer is None or answer.action != "answer" or False in answer.votes:
            continue
        if following is None or following.picked or not reports_failure(following.text):
            yield question


def said_an_answer_failed(conversation):
    """Whether the customer replied to a bot answer that it did not work ("it still fails"): a "no" in words."""
    return any(reports_failure(text) for text in replies_to_answers(conversation))


def thanked_for_an_answer(conversation):
    """Whether the customer replied to a bot answer with thanks ("great, thanks!"): a "yes" in words."""
    return any(social_kind(text) == "thanks" for text in replies_to_answers(conversation))


def followed_by_repeat_contact(conversation, visitor_conversations, repeat_window):
    """Whether the visitor started a later conversation on one of its topics within `repeat_window`."""
    deadline = conversation.started_at + repeat_window
    return any(
        (other.started_at, other.id) > (conversation.started_at, conversation.id)
        and other.started_at <= deadline
        and other.topics & conversation.topics
        for other in visitor_conversations
    )


def is_resolved(conversation, conversation_outcome):
    """Deflected, or handed off and the handoff is resolved."""
    if conversation_outcome in DEFLECTED:
        return True
    return conversation.handoff is not None and conversation.handoff.status == "resolved"


def count_sessions(visits, gap):
    """Help-center sessions: each visitor's runs of visits with no gap longer than `gap`."""
    by_visitor = defaultdict(list)
    for visit in visits:
        by_visitor[visit.visitor_id].append(visit.occurred_at)
    sessions = 0
    for times in by_visitor.values():
        times.sort()
        sessions += 1 + sum(1 for before, after in itertools.pairwise(times) if after - before > gap)
    return sessions


def ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def csat_summary(scores):
    """CSAT of 1-5 scores (others are ignored): average, distribution, share of 4 and 5."""
    scores = [score for score in scores if score in CSAT_SCALE]
    distribution = Counter(scores)
    return Csat(
        responses=len(scores),
        average=ratio(sum(scores), len(scores)),
        distribution={str(value): distribution[value] for value in CSAT_SCALE},
        satisfied_rate=ratio(distribution[4] + distribution[5], len(scores)),
    )


def ces_summary(choices):
    """CES distribution over "easy" / "neither" / "difficult" (other choices are ignored)."""
    choices = [choice for choice in choices if choice in CES_CHOICES]
    distribution = Counter(choices)
    return Ces(responses=len(choices), distribution={choice: distribution[choice] for choice in CES_CHOICES})


def nps_summary(scores):
    """NPS of 0-10 scores (others are ignored): % promoters (9-10) - % detractors (0-6)."""
    scores = [score for score in scores if score in NPS_SCALE]
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return Nps(
        responses=len(scores),
        promoters=promoters,
        passives=len(scores) - promoters - detractors,
        detractors=detractors,
        score=100 * (promoters - detractors) / len(scores) if scores else None,
    )


def top_questions(texts, limit):
    """The `limit` most frequent questions after `normalize_question`; ties in alphabetical order."""
    if limit <= 0:
        return []
    counts = Counter(normalize_question(text) for text in texts)
    counts.pop("", None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [QuestionCount(question, count) for question, count in ranked[:limit]]


def content_gap_questions(conversations):
    """The questions the knowledge base fell short on, as customer texts.

    Questions the bot replied to with a suggestion or a handoff (except a
    handoff the customer asked for, and a suggestion one of whose choices the
    customer picked and kept: the answer was there), plus, for a conversation
    whose handoff was resolved as `article_missing`, the question it was
    handed off on: the latest one before the handoff. A message that only
    says the last reply failed ("it still fails"), and a pick of one of the
    bot's choices, count as the question they follow, which is what the
    articles must answer. Each message once.
    """
    texts = {}
    for conversation in conversations:
        handoff = conversation.handoff
        missing = handoff is not None and handoff.resolution_reason == "article_missing"
        answered_by_pick = {pick.picked_from for pick in kept_picks(conversation)}
        asked = None  # the latest question that asked something
        handed_off_on = None
        for question in conversation.questions:
            if asked is None or (not question.picked and asks_something(question.text)):
                asked = question
            reply = question.reply
            if (
                reply is not None
                and reply.action in GAP_ACTIONS
                and reply.offer_reason != "customer_request"
                and reply.message_id not in answered_by_pick
            ):
                texts[asked.message_id] = asked.text
            if missing and (handed_off_on is None or question.asked_at <= handoff.created_at):
                handed_off_on = asked
        if handed_off_on is not None:
            texts[handed_off_on.message_id] = handed_off_on.text
    return list(texts.values())


def with_current_answers(report, answer_article):
    """`report` with each content gap's `answered_now_by`: `answer_article(label)` gives the (slug, title)
    the bot answers it from now, or None. The topics come from the period; the answer from today's articles."""
    if not report.content_gaps:
        return report
    gaps = [replace(topic, answered_now_by=answer_article(topic.label)) for topic in report.content_gaps]
    return replace(report, content_gaps=gaps)


def content_gap_topics(texts, encode, similarity, limit, examples):
    """`texts` grouped into topics (`kbbot.search.topics.group` on their normalized forms), the `limit` largest.

    `encode(list_of_texts)` returns their L2-normalized embeddings, shape (n, d);
    it is only called when there is something to group.
    """
    if limit <= 0:
        return []
    counts = Counter(normalize_question(text) for text in texts)
    counts.pop("", None)
    distinct = sorted(counts)
    if not distinct:
        return []
    groups = topics.group(distinct, encode(distinct), similarity, [counts[text] for text in distinct])
    return [
        Topic(
            label=distinct[grouped.leader],
            count=grouped.count,
            examples=tuple(distinct[i] for i in grouped.members[1 : 1 + examples]),
        )
        for grouped in groups[:limit]
    ]


def article_performance(conversations, outcomes, activity, window):
    """The deflection ledger: an `ArticlePerformance` per article viewed, shown or voted on; worst first.

    `conversations`: the period's counted conversations; `outcomes`: their
    outcomes by conversation id; `activity`: the period's article views,
    article votes and handoffs; `window`: how soon after a visitor read or was
    shown an article their handoff counts against it (the edge included).
    Sorted by contact rate (highest first, none last), then by contacts,
    reach and slug.
    """
    counts = defaultdict(Counter)
    exposures = defaultdict(list)  # article id -> (visitor id, when) of each view or bot reply showing it
    for view in activity.views:
        counts[view.article_id]["views"] += 1
        exposures[view.article_id].append((view.visitor_id, view.occurred_at))
    for article_id, helpful in activity.votes:
        counts[article_id]["article_votes"] += 1
        counts[article_id]["article_helpful"] += helpful
    for conversation in conversations:
        for reply in conversation.replies:
            cited = reply.article_id if reply.action == "answer" else None
            if cited is not None:
                counts[cited]["cited"] += 1
                counts[cited]["answer_votes"] += len(reply.votes)
                counts[cited]["answer_helpful"] += sum(reply.votes)
            shown = set(reply.offered) | {reply.article_id} - {None}
            for article_id in shown - {cited}:
                counts[article_id]["suggested"] += 1
            for article_id in shown:
                exposures[article_id].append((conversation.visitor_id, reply.sent_at))
        if outcomes[conversation.id] in DEFLECTED:
            for article_id in {answer.article_id for answer in conversation.answers} - {None}:
                counts[article_id]["resolved"] += 1

    handoff_times = defaultdict(list)
    for contact in activity.contacts:
        handoff_times[contact.visitor_id].append(contact.created_at)
    rows = []
    for article_id, counted in counts.items():
        known = [(visitor, moment) for visitor, moment in exposures[article_id] if visitor and moment]
        contacted = {
            visitor
            for visitor, moment in known
            if any(moment <= handoff <= moment + window for handoff in handoff_times[visitor])
        }
        reached = {visitor for visitor, _ in known}
        slug, title = activity.articles.get(article_id, ("", ""))
        rows.append(
            ArticlePerformance(
                article_id=article_id,
                slug=slug,
                title=title,
                views=counted["views"],
                cited=counted["cited"],
                suggested=counted["suggested"],
                article_votes=counted["article_votes"],
                article_helpful=counted["article_helpful"],
                answer_votes=counted["answer_votes"],
                answer_helpful=counted["answer_helpful"],
                resolved=counted["resolved"],
                reached=len(reached),
                contacted=len(contacted),
                contact_rate=ratio(len(contacted), len(reached)),
            )
        )
    rows.sort(
        key=lambda row: (
            row.contact_rate is None,
            -(row.contact_rate or 0),
            -row.contacted,
            -row.reached,
            row.slug,
            row.article_id,
        )
    )
    return rows


def summarize(since, until, conversations, surveys, visits, settings, encode, activity=None):
    """The report of [since, until) (timezone-aware datetimes).

    `conversations`: the period's conversations and, as their visitors'
    history, every other conversation of those visitors that the deflection
    and repeat-contact windows can reach (more does no harm).
    `surveys`: survey answers; those to conversations not counted are ignored.
    `visits`: help-center events; those outside the period are ignored.
    `encode(list_of_texts)`: their L2-normalized embeddings, shape (n, d), for
    the content-gap topics.
    `activity`: the period's article views, article votes and handoffs, for
    the article-performance ledger (none: no ledger).
    """
    by_visitor = defaultdict(dict)
    for conversation in conversations:
        by_visitor[conversation.visitor_id][conversation.id] = conversation
    counted = sorted(
        (c for visitor in by_visitor.values() for c in visitor.values() if in_period(c, since, until)),
        key=lambda c: (c.started_at, c.id),
    )
    outcomes = Counter()
    outcome_of = {}
    repeats = resolved = resolved_without_repeat = 0
    for conversation in counted:
        history = by_visitor[conversation.visitor_id].values()
        result = outcome_of[conversation.id] = outcome(
            conversation, history, settings.deflection_window, settings.as_of
        )
        outcomes[result] += 1
        repeat = followed_by_repeat_contact(conversation, history, settings.repeat_window)
        repeats += repeat
        if is_resolved(conversation, result):
            resolved += 1
            resolved_without_repeat += not repeat

    replies = [reply for c in counted for reply in c.replies]
    answers = [reply for reply in replies if reply.action == "answer"]
    offering_choices = {reply.message_id for reply in replies if reply.choices}
    picked_from = {q.picked_from for c in counted for q in c.questions if q.picked} & offering_choices
    votes = [vote for answer in answers for vote in answer.votes]
    handoffs = [c.handoff for c in counted if c.handoff is not None]
    by_reason = Counter({reason: 0 for reason in HANDOFF_REASONS})
    by_reason.update(handoff.reason for handoff in handoffs)
    first_replies = [
        (handoff.first_reply_at - handoff.created_at).total_seconds()
        for handoff in handoffs
        if handoff.first_reply_at is not None
    ]
    counted_ids = {c.id for c in counted}
    surveys = [answer for answer in surveys if answer.conversation_id in counted_ids]
    sessions = count_sessions(
        [visit for visit in visits if since <= visit.occurred_at < until], settings.session_gap
    )
    questions = [question.text for c in counted for question in c.bot_questions]
    deflected = outcomes["deflected_confirmed"] + outcomes["deflected_assumed"]
    return Report(
        since=since,
        until=until,
        deflection_window_hours=settings.deflection_window / timedelta(hours=1),
        repeat_contact_days=settings.repeat_window / timedelta(days=1),
        conversations=len(counted),
        customer_questions=len(questions),
        outcomes=Outcomes(**{name: outcomes[name] for name in OUTCOMES}),
        # Of the conversations whose outcome is known: a pending one may still turn out either way.
        deflection_rate=ratio(deflected, len(counted) - outcomes["deflection_pending"]),
        handoff_rate=ratio(outcomes["handed_off"], len(counted)),
        bot_replies=len(replies),
        answers=len(answers),
        answer_rate=ratio(len(answers), len(replies)),
        suggestions=len(offering_choices),
        suggestions_picked=len(picked_from),
        pick_rate=ratio(len(picked_from), len(offering_choices)),
        feedback=len(votes),
        helpful=sum(votes),
        helpful_rate=ratio(sum(votes), len(votes)),
        repeat_contacts=repeats,
        repeat_contact_rate=ratio(repeats, len(counted)),
        resolved=resolved,
        resolved_without_repeat=resolved_without_repeat,
        first_contact_resolution=ratio(resolved_without_repeat, resolved),
        help_center_sessions=sessions,
        self_service_score=ratio(sessions, len(handoffs)),
        handoffs=len(handoffs),
        handoffs_by_reason=dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))),
        median_first_reply_seconds=statistics.median(first_replies) if first_replies else None,
        csat=csat_summary(answer.score for answer in surveys if answer.kind == "csat"),
        ces=ces_summary(answer.choice for answer in surveys if answer.kind == "ces"),
        nps=nps_summary(answer.score for answer in surveys if answer.kind == "nps"),
        top_questions=top_questions(questions, settings.top_questions),
        content_gaps=content_gap_topics(
            content_gap_questions(counted),
            encode,
            settings.topic_similarity,
            settings.content_gaps,
            settings.examples,
        ),
        contact_window_minutes=settings.contact_window / timedelta(minutes=1),
        articles=(
            []
            if activity is None
            else article_performance(counted, outcome_of, activity, settings.contact_window)
        ),
    )


# Reading the records from the database.


def build_report(session: Session, since, until, settings, encode) -> Report:
    """The report of [since, until) (timezone-aware datetimes), read from the database.

    `encode(list_of_texts)` returns L2-normalized embeddings, shape (n, d), e.g.
    `services.get_engine().encoder.encode`; it is only called when there are
    content gaps to group.
    """
    since, until = as_utc(since), as_utc(until)
    return summarize_records(read_records(session, since, until, settings), since, until, settings, encode)


def summarize_records(records, since, until, settings, encode) -> Report:
    """The report of [since, until) from records `read_records` read (the dashboard reuses them for trends)."""
    return summarize(
        since,
        until,
        records.conversations,
        records.surveys,
        records.visits,
        settings,
        encode,
        records.activity,
    )


def trend_periods(since, until, granularity):
    """[since, until) cut at UTC midnights ("day") or at Mondays 00:00 UTC ("week").

    The first and last week may be partial: every period lies inside [since, until).
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}, not {granularity!r}")
    since, until = as_utc(since), as_utc(until)
    start = datetime.combine(since.date(), time(), UTC)
    if granularity == "week":
        start -= timedelta(days=start.weekday())
    step = timedelta(days=1 if granularity == "day" else 7)
    periods = []
    while start < until:
        periods.append((max(start, since), min(start + step, until)))
        start += step
    return periods


def default_granularity(since, until):
    """Daily for periods up to `DAILY_TREND_MAX_DAYS` days, weekly for longer ones."""
    return "day" if until - since <= timedelta(days=DAILY_TREND_MAX_DAYS) else "week"


def trend(records, periods, settings) -> list[Report]:
    """The report of each of `periods`, from `records` read once for their whole span.

    `records`: `read_records` of a period covering all of `periods`: every
    conversation one of them counts, with its visitor's history, is among
    them, and `summarize` ignores the rest. The reports have no top questions,
    content gaps or article ledger: a trend charts the figures only.
    """
    figures_only = replace(settings, top_questions=0, content_gaps=0)
    without_ledger = replace(records, activity=None)
    return [
        summarize_records(without_ledger, since, until, figures_only, encode=None) for since, until in periods
    ]


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
            Conversation.visitor_id.in_(visitors), Conversation.started_at <= horizon
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
    visits = [Visit(visitor_id, at) for _, _, visitor_id, at in help_center if visitor_id is not None]
    views = tuple(
        ArticleView(article_id, visitor_id, at)
        for type_, article_id, visitor_id, at in help_center
        if type_ == "article_view" and article_id is not None
    )
    return Records(
        conversations,
        surveys,
        visits,
        _article_activity(session, since, until, conversations, views, settings),
    )


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
        Contact(visitor_id, created_at)
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


def days(first, last):
    """The period [since, until) of the whole UTC days `first` to `last` (dates), both included."""
    return (
        datetime.combine(first, time(), UTC),
        datetime.combine(last + timedelta(days=1), time(), UTC),
    )


def as_utc(moment):
    """`moment` in UTC; a naive datetime is taken to be UTC already.

    Only for the period's bounds, which callers pass in: timestamps read from the
    database are timezone-aware already (models.UTCDateTime).
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _conversation_records(session, conversation_ids):
    """`ConversationRecord`s of the conversations whose ids `conversation_ids` (a subquery) selects."""
    messages = session.execute(
        select(
            Message.id,
            Message.conversation_id,
            Message.role,
            Message.text,
            Message.created_at,
            Message.in_reply_to_id,
            Message.action,
            Message.article_id,
            Message.offer_reason,
            Message.sources,
            Message.choices,
            Message.choice,
        )
        .where(Message.conversation_id.in_(conversation_ids), Message.role.in_(("customer", "bot")))
        .order_by(Message.id)
    ).all()
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

    offered = _source_articles(session, [m.sources for m in messages if m.role == "bot" and m.action])
    replies = defaultdict(list)
    reply_to = {}
    choices_offered = defaultdict(list)  # conversation id -> (message id, {(slug, anchor)}), oldest first
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
    handoffs = {
        handoff.conversation_id: HandoffRecord(
            reason=handoff.reason,
            status=handoff.status,
            created_at=handoff.created_at,
            first_reply_at=handoff.first_reply_at,
            resolution_reason=handoff.resolution_reason,
        )
        for handoff in session.scalars(select(Handoff).where(Handoff.conversation_id.in_(conversation_ids)))
    }
    return [
        ConversationRecord(
            id=conversation.id,
            visitor_id=conversation.visitor_id,
            started_at=conversation.started_at,
            last_message_at=conversation.last_message_at,
            questions=tuple(questions[conversation.id]),
            replies=tuple(replies[conversation.id]),
            handoff=handoffs.get(conversation.id),
        )
        for conversation in session.scalars(
            select(Conversation).where(Conversation.id.in_(conversation_ids)).order_by(Conversation.id)
        )
    ]


def _offered_by(choices_offered, message):
    """The id of the latest bot reply before customer `message` that offered the choice it picked (as
    `conversations.offered_choice` finds it); None for a typed message.

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


# Plain-text rendering.


def format_value(value, kind):
    """A figure as people read it: "25.0%", "1.67", "45m 00s", "n/a" for none (the CLI and the dashboard)."""
    if value is None:
        return "n/a"
    if kind == "rate":
        return f"{100 * value:.1f}%"
    if kind in ("number", "score"):
        return f"{value:.2f}"
    if kind == "nps":
        return f"{value:.1f}"
    if kind == "duration":
        minutes, secs = divmod(round(value), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{hours}h {minutes:02d}m"
        return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
    if kind == "count":
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return str(value)


def _text_lines(report):
    outcomes = report.outcomes
    csat, ces, nps = report.csat, report.ces, report.nps
    resolved = f"{report.resolved_without_repeat} of {report.resolved} resolved had no repeat contact"
    picked = f"{report.suggestions_picked} of {report.suggestions} suggestions with choices"
    nps_counts = f"{nps.promoters} promoters, {nps.passives} passives, {nps.detractors} detractors"
    rows = [
        ("conversations", report.conversations),
        ("customer questions", report.customer_questions),
        ("deflected, confirmed", outcomes.deflected_confirmed),
        ("deflected, assumed", outcomes.deflected_assumed),
        ("deflection pending", outcomes.deflection_pending),
        ("handed off", outcomes.handed_off),
        ("abandoned", outcomes.abandoned),
        ("deflection rate", format_value(report.deflection_rate, "rate")),
        ("handoff rate", format_value(report.handoff_rate, "rate")),
        (
            "answer rate",
            f"{format_value(report.answer_rate, 'rate')} ({report.answers} of {report.bot_replies} replies)",
        ),
        ("suggestion pick rate", f"{format_value(report.pick_rate, 'rate')} ({picked})"),
        (
            "helpful rate",
            f"{format_value(report.helpful_rate, 'rate')} ({report.helpful} of {report.feedback} votes)",
        ),
        (
            "repeat-contact rate",
            f"{format_value(report.repeat_contact_rate, 'rate')} ({report.repeat_contacts})",
        ),
        ("first-contact resolution", f"{format_value(report.first_contact_resolution, 'rate')} ({resolved})"),
        ("help-center sessions", report.help_center_sessions),
        ("self-service score", format_value(report.self_service_score, "number")),
        ("median first agent reply", format_value(report.median_first_reply_seconds, "duration")),
        ("CSAT average", f"{format_value(csat.average, 'number')} ({csat.responses} responses)"),
        ("CSAT (4-5)", format_value(csat.satisfied_rate, "rate")),
        ("CES easy/neither/difficult", "/".join(str(ces.distribution[choice]) for choice in CES_CHOICES)),
        ("NPS", f"{format_value(nps.score, 'nps')} ({nps_counts})"),
    ]
    period = f"{report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC"
    windows = (
        f"deflection window {report.deflection_window_hours:g} h, "
        f"repeat-contact window {report.repeat_contact_days:g} days"
    )
    lines = [f"Report {period} ({windows})", ""]
    width = max(len(label) for label, _ in rows) + 2
    lines += [f"{label:<{width}}{value}" for label, value in rows]
    lines += ["", "Handoffs by reason"]
    lines += [f"  {count:>5}  {reason}" for reason, count in report.handoffs_by_reason.items()]
    lines += ["", "Top questions"]
    lines += [f"  {item.count:>5}  {item.question}" for item in report.top_questions] or ["  (none)"]
    lines += ["", "Content gaps"]
    for topic in report.content_gaps:
        also = f"  (also: {'; '.join(topic.examples)})" if topic.examples else ""
        now = f"  [answered now by {topic.answered_now_by[0]}]" if topic.answered_now_by else ""
        lines.append(f"  {topic.count:>5}  {topic.label}{also}{now}")
    if not report.content_gaps:
        lines.append("  (none)")
    lines += [
        "",
        f"Article performance (contacted a person within {report.contact_window_minutes:g} min after)",
    ]
    lines.append(
        f"  {'contacted':>9}  {'reached':>7}  {'views':>5}  {'cited':>5}  {'suggested':>9}"
        f"  {'article votes':>13}  {'answer votes':>12}  {'resolved':>8}  article"
    )
    for row in report.articles:
        lines.append(
            f"  {row.contacted:>9}  {row.reached:>7}  {row.views:>5}  {row.cited:>5}  {row.suggested:>9}"
            f"  {f'{row.article_helpful}/{row.article_votes} helpful':>13}"
            f"  {f'{row.answer_helpful}/{row.answer_votes} helpful':>12}  {row.resolved:>8}  {row.slug}"
        )
    if not report.articles:
        lines.append("  (none)")
    return lines
