"""The report of a period: `summarize` applies the definitions to the records, `build_report`
reads them first, `trend` reports each part of a period."""

import bisect
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..models import HANDOFF_REASONS
from .agents import AgentFigures, agent_figures
from .collection import paused_collection
from .content_gaps import QuestionCount, Topic, content_gap_questions, content_gap_topics, ranked_questions
from .deflection import (
    DEFLECTED,
    OUTCOMES,
    Outcome,
    Outcomes,
    count_sessions,
    followed_by_repeat_contact,
    in_period,
    is_resolved,
    outcome,
)
from .facts import as_facts
from .kinds import Duration, Number, Rate
from .performance import ArticlePerformance, article_performance
from .periods import as_utc
from .rates import mean, median, ratio
from .reading import read_records
from .sla import SlaFigures, sla_figures
from .surveys import Ces, Csat, Nps, ces_summary, csat_summary, nps_summary
from .text import _text_lines


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
    deflection_rate: Rate
    handoff_rate: Rate
    bot_replies: int
    answers: int
    answer_rate: Rate
    suggestions: int  # bot replies that offered choices to pick
    suggestions_picked: int  # of those, how many the customer picked a choice of
    pick_rate: Rate
    feedback: int
    helpful: int
    helpful_rate: Rate
    repeat_contacts: int
    repeat_contact_rate: Rate
    resolved: int
    resolved_without_repeat: int
    first_contact_resolution: Rate
    help_center_sessions: int
    self_service_score: Number  # help-center sessions per handoff
    handoffs: int
    handoffs_by_reason: dict[str, int]
    median_first_reply_seconds: Duration  # wall-clock; `sla` has it in business hours
    csat: Csat
    ces: Ces
    nps: Nps
    top_questions: list[QuestionCount] = field(default_factory=list)
    content_gaps: list[Topic] = field(default_factory=list)
    articles: list[ArticlePerformance] = field(default_factory=list)
    contact_window_minutes: float = 30.0
    sla: SlaFigures = field(default_factory=SlaFigures)
    agents: list[AgentFigures] = field(default_factory=list)  # per agent; `summarize_records` adds them

    def as_dict(self):
        """The report as JSON-ready data (datetimes in ISO 8601)."""
        data = asdict(self)
        data["since"] = self.since.isoformat()
        data["until"] = self.until.isoformat()
        return data

    def as_text(self):
        """The report as an aligned plain-text table, for the command line."""
        return "\n".join(_text_lines(self))


def summarize(
    since, until, conversations, surveys, visits, settings, encode, activity=None, targets=(), judged=None
):
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
    `targets`: SLA targets that ended (`ReplyTargetRecord`); those outside the period are ignored.
    `judged`: `judge`'s outcomes of these conversations, when the caller has them already.
    """
    return _summarize(
        _counted(conversations, since, until),
        since,
        until,
        conversations,
        surveys,
        visits,
        settings,
        encode,
        activity,
        targets,
        judged,
    )


def _summarize(
    counted, since, until, conversations, surveys, visits, settings, encode, activity, targets, judged
):
    """`summarize` of the `counted` conversations (`_counted` of `conversations`)."""
    counted_ids = {c.id for c in counted}
    return _report(
        since,
        until,
        counted,
        judged if judged is not None else _judged(counted, _by_visitor(conversations), settings),
        [answer for answer in surveys if answer.conversation_id in counted_ids],
        [visit for visit in visits if since <= visit.at < until],
        settings,
        encode,
        activity,
        targets,
    )


def _counted(conversations, since, until):
    """The facts of the conversations counted in [since, until) (`in_period`), each once, by start."""
    unique = {c.id: c for c in map(as_facts, conversations)}.values()
    return sorted((c for c in unique if in_period(c, since, until)), key=lambda c: (c.started_at, c.id))


# Long on purpose: one `Report(...)` of every figure, each worked out beside its name (its definition
# in docs/metrics.md); helpers returning parts of it would scatter the figures.
def _report(since, until, counted, judged, surveys, visits, settings, encode, activity, targets):
    """The report of [since, until) from its `counted` conversations (`_counted`), their `judged`
    outcomes and repeat contacts (`_judged`, any superset), the survey answers given in them, and the
    help-center `visits` of the period; `targets` as for `summarize`."""
    outcome_of = {c.id: judged[c.id][0] for c in counted}
    outcomes = Counter(outcome_of.values())
    repeats = sum(judged[c.id][1] for c in counted)
    resolved = [c.id for c in counted if is_resolved(c, outcome_of[c.id])]
    resolved_without_repeat = sum(not judged[id_][1] for id_ in resolved)
    replies = sum(c.replies for c in counted)
    answers = sum(c.answers for c in counted)
    suggestions = sum(c.suggestions for c in counted)
    suggestions_picked = sum(c.suggestions_picked for c in counted)
    votes = [vote for c in counted for vote in c.answer_votes]
    handoffs = [c.handoff for c in counted if c.handoff is not None]
    first_replies = [
        (handoff.first_reply_at - handoff.created_at).total_seconds()
        for handoff in handoffs
        if handoff.first_reply_at is not None
    ]
    sessions = count_sessions(visits, settings.session_gap)
    questions = [text for c in counted for text in c.questions]
    deflected = sum(outcomes[kind] for kind in DEFLECTED)
    return Report(
        since=since,
        until=until,
        deflection_window_hours=settings.deflection_window / timedelta(hours=1),
        repeat_contact_days=settings.repeat_window / timedelta(days=1),
        conversations=len(counted),
        customer_questions=len(questions),
        outcomes=Outcomes(**{name: outcomes[name] for name in OUTCOMES}),
        # Of the conversations whose outcome is known: a pending one may still turn out either way.
        deflection_rate=ratio(deflected, len(counted) - outcomes[Outcome.DEFLECTION_PENDING]),
        handoff_rate=ratio(outcomes[Outcome.HANDED_OFF], len(counted)),
        bot_replies=replies,
        answers=answers,
        answer_rate=ratio(answers, replies),
        suggestions=suggestions,
        suggestions_picked=suggestions_picked,
        pick_rate=ratio(suggestions_picked, suggestions),
        feedback=len(votes),
        helpful=sum(votes),
        helpful_rate=mean(votes),
        repeat_contacts=repeats,
        repeat_contact_rate=ratio(repeats, len(counted)),
        resolved=len(resolved),
        resolved_without_repeat=resolved_without_repeat,
        first_contact_resolution=ratio(resolved_without_repeat, len(resolved)),
        help_center_sessions=sessions,
        self_service_score=ratio(sessions, len(handoffs)),
        handoffs=len(handoffs),
        handoffs_by_reason=_by_reason(handoffs),
        median_first_reply_seconds=median(first_replies),
        csat=csat_summary(answer.score for answer in surveys if answer.kind == "csat"),
        ces=ces_summary(answer.choice for answer in surveys if answer.kind == "ces"),
        nps=nps_summary(answer.score for answer in surveys if answer.kind == "nps"),
        top_questions=ranked_questions(questions, settings.top_questions),
        content_gaps=content_gap_topics(
            content_gap_questions(counted),
            encode,
            settings.topic_similarity,
            settings.content_gaps,
            settings.examples,
        ),
        contact_window_minutes=settings.contact_window / timedelta(minutes=1),
        sla=sla_figures(targets, handoffs, since, until, settings.schedule),
        articles=(
            []
            if activity is None
            else article_performance(counted, outcome_of, activity, settings.contact_window)
        ),
    )


def _by_visitor(conversations):
    """{visitor id: {conversation id: `ConversationFacts`}}: each visitor's history."""
    by_visitor = defaultdict(dict)
    for conversation in map(as_facts, conversations):
        by_visitor[conversation.visitor_id][conversation.id] = conversation
    return by_visitor


def _judged(counted, by_visitor, settings):
    """{conversation id: (its `Outcome`, whether a repeat contact followed it)} of the `counted`
    conversations, each judged once against its visitor's history (`_by_visitor`)."""
    judged = {}
    for conversation in counted:
        history = by_visitor[conversation.visitor_id].values()
        judged[conversation.id] = (
            outcome(conversation, history, settings.deflection_window, settings.as_of),
            followed_by_repeat_contact(conversation, history, settings.repeat_window),
        )
    return judged


def _by_reason(handoffs):
    """{reason: handoffs}, every reason listed, most frequent first (then by name)."""
    by_reason = Counter({reason: 0 for reason in HANDOFF_REASONS})
    by_reason.update(handoff.reason for handoff in handoffs)
    return dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0])))


def build_report(session: Session, since, until, settings, encode) -> Report:
    """The report of [since, until) (timezone-aware datetimes), read from the database.

    `encode(list_of_texts)` returns L2-normalized embeddings, shape (n, d), e.g.
    `services.get_engine().encoder.encode`; it is only called when there are
    content gaps to group.
    """
    since, until = as_utc(since), as_utc(until)
    with paused_collection():
        return summarize_records(
            read_records(session, since, until, settings), since, until, settings, encode
        )


def counted(records, since, until):
    """The facts of the conversations `records` count in [since, until), by start: what `judge`,
    `summarize_records` and `trend` of that period take (the dashboard works them out once for all three)."""
    return _counted(records.conversations, since, until)


def judge(records, since, until, settings, counted_conversations=None):
    """{conversation id: (its `Outcome`, whether a repeat contact followed it)} of the conversations
    `records` count in [since, until) (`counted`, when the caller has them): what a report and the trend
    of the same period both need."""
    if counted_conversations is None:
        counted_conversations = counted(records, since, until)
    return _judged(counted_conversations, _by_visitor(records.conversations), settings)


def summarize_records(
    records, since, until, settings, encode, judged=None, counted_conversations=None
) -> Report:
    """The report of [since, until) from records `read_records` read (the dashboard reuses them for
    trends), with the per-agent figures when the records name the agents; `judged` as `summarize`
    takes it, `counted_conversations` as `judge`."""
    if counted_conversations is None:
        counted_conversations = counted(records, since, until)
    report = _summarize(
        counted_conversations,
        since,
        until,
        records.conversations,
        records.surveys,
        records.visits,
        settings,
        encode,
        records.activity,
        records.targets,
        judged,
    )
    if records.agents is None:
        return report
    agents = agent_figures(
        counted_conversations,
        records.surveys,
        records.targets,
        since,
        until,
        records.agents,
        settings.schedule,
    )
    return replace(report, agents=agents)


def trend(records, periods, settings, judged=None, counted_conversations=None) -> list[Report]:
    """The report of each of `periods`, from `records` read once for their whole span.

    `records`: `read_records` of a period covering all of `periods`: every
    conversation one of them counts, with its visitor's history, is among
    them, and `summarize` ignores the rest. The reports have no top questions,
    content gaps, article ledger or per-agent figures: a trend charts the figures only.

    One pass: each conversation is judged once and the records are sorted
    once, each period then takes its slice; each report equals `summarize`'s
    of its period alone. `judged`: `judge`'s outcomes over the periods' span, and
    `counted_conversations`: `counted` of that span, when the caller has them already (the dashboard
    works them out once for its report and its trend).
    """
    if not periods:
        return []
    figures_only = replace(settings, top_questions=0, content_gaps=0)
    counted = counted_conversations
    if counted is None:
        counted = _counted(records.conversations, min(p[0] for p in periods), max(p[1] for p in periods))
    if judged is None:
        judged = _judged(counted, _by_visitor(records.conversations), settings)
    surveys = defaultdict(list)
    for answer in records.surveys:
        surveys[answer.conversation_id].append(answer)
    visits = sorted(records.visits, key=lambda visit: visit.at)
    targets = sorted(records.targets, key=lambda target: target.ended_at)
    reports = []
    for since, until in periods:
        bucket = _slice(counted, lambda c: c.started_at, since, until)
        reports.append(
            _report(
                since,
                until,
                bucket,
                judged,
                [answer for c in bucket for answer in surveys[c.id]],
                _slice(visits, lambda visit: visit.at, since, until),
                figures_only,
                None,
                None,
                _slice(targets, lambda target: target.ended_at, since, until),
            )
        )
    return reports


def _slice(items, moment, since, until):
    """The `items` (sorted by `moment(item)`) whose moment is in [since, until)."""
    return items[bisect.bisect_left(items, since, key=moment) : bisect.bisect_left(items, until, key=moment)]
