"""What the staff dashboard shows: a period, the report's figures and their trends, as tables.

Web-free: the blueprint (kbbot/web/staff/dashboard.py) parses the query with
`parse_period`, calls `build`, and renders or exports its `Table`s. Every
number comes from `kbbot.reports` (`read_records`, `summarize`, `trend`), the
code behind `kbbot report`; this module only picks, labels and formats them.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from .. import reports
from ..errors import InvalidInput
from .collection import paused_collection
from .kinds import kind_of
from .surveys import CSAT_SCALE
from .tables import Column, Table, agents_table, articles_table, content_gaps_table, top_questions_table

PRESETS = (7, 30, 90)  # "last N days", today included
DEFAULT_PRESET = reports.DEFAULT_PERIOD_DAYS
MAX_DAYS = 366
GRANULARITY_CHOICES = ("auto", *reports.GRANULARITIES)
# A trend chart's fixed y range by kind of number: rates in [0, 1], CSAT scores 1 to 5, NPS -100 to 100.
CHART_DOMAINS = {"rate": (0, 1), "score": (1, 5), "nps": (-100, 100)}


@dataclass(frozen=True)
class Figure:
    """A scalar of the report: its key (a path in `kbbot report --json`) and label."""

    key: str
    label: str

    @property
    def kind(self):
        """Its kind of number: its field's in `reports.Report` ("count", "rate", "duration"...)."""
        return kind_of(reports.Report, self.key)

    @property
    def domain(self):
        """The trend chart's fixed y range (its kind's, `CHART_DOMAINS`); None: fitted to the values."""
        return CHART_DOMAINS.get(self.kind)


# Every scalar of the report, in the order the dashboard lists them.
FIGURES = (
    Figure("conversations", "Conversations"),
    Figure("customer_questions", "Customer questions"),
    Figure("outcomes.deflected_confirmed", "Deflected, confirmed"),
    Figure("outcomes.deflected_assumed", "Deflected, assumed"),
    Figure("outcomes.deflection_pending", "Deflection pending (window open)"),
    Figure("outcomes.handed_off", "Handed off"),
    Figure("outcomes.abandoned", "Abandoned"),
    Figure("deflection_rate", "Deflection rate"),
    Figure("handoff_rate", "Handoff rate"),
    Figure("bot_replies", "Bot replies"),
    Figure("answers", "Bot answers"),
    Figure("answer_rate", "Answer rate"),
    Figure("suggestions", "Suggestions with choices"),
    Figure("suggestions_picked", "Suggestions picked from"),
    Figure("pick_rate", "Suggestion pick rate"),
    Figure("feedback", "Votes on answers"),
    Figure("helpful", "Helpful votes on answers"),
    Figure("helpful_rate", "Helpful rate"),
    Figure("repeat_contacts", "Repeat contacts"),
    Figure("repeat_contact_rate", "Repeat-contact rate"),
    Figure("resolved", "Resolved conversations"),
    Figure("resolved_without_repeat", "Resolved without repeat contact"),
    Figure("first_contact_resolution", "First-contact resolution"),
    Figure("help_center_sessions", "Help-center sessions"),
    Figure("handoffs", "Handoffs"),
    Figure("self_service_score", "Self-service score"),
    Figure("handoffs_by_reason.customer_request", "Handoffs: customer asked"),
    Figure("handoffs_by_reason.low_confidence", "Handoffs: low confidence"),
    Figure("handoffs_by_reason.repeated_unhelpful", "Handoffs: repeatedly unhelpful"),
    Figure("handoffs_by_reason.negative_feedback", "Handoffs: negative feedback"),
    Figure("median_first_reply_seconds", "Median first agent reply"),
    Figure("sla.median_first_reply_business_seconds", "Median first agent reply, business hours"),
    Figure("sla.first_reply_met_rate", "First replies within SLA"),
    Figure("sla.first_reply_targets", "First-reply SLA targets"),
    Figure("sla.first_reply_met", "First-reply SLA targets met"),
    Figure("sla.next_reply_met_rate", "Next replies within SLA"),
    Figure("sla.next_reply_targets", "Next-reply SLA targets"),
    Figure("sla.next_reply_met", "Next-reply SLA targets met"),
    Figure("csat.responses", "CSAT responses"),
    Figure("csat.average", "CSAT average (1-5)"),
    Figure("csat.satisfied_rate", "CSAT (share of 4 and 5)"),
    *(Figure(f"csat.distribution.{score}", f"CSAT: {score}") for score in CSAT_SCALE),
    Figure("ces.responses", "CES responses"),
    *(Figure(f"ces.distribution.{choice}", f"CES: {choice}") for choice in reports.CES_CHOICES),
    Figure("nps.responses", "NPS responses"),
    Figure("nps.promoters", "NPS promoters"),
    Figure("nps.passives", "NPS passives"),
    Figure("nps.detractors", "NPS detractors"),
    Figure("nps.score", "NPS"),
)
FIGURES_BY_KEY = {figure.key: figure for figure in FIGURES}
# The headline tiles, each with its trend chart, in the order they are shown.
TILES = tuple(
    FIGURES_BY_KEY[key]
    for key in (
        "conversations",
        "deflection_rate",
        "handoff_rate",
        "answer_rate",
        "helpful_rate",
        "repeat_contact_rate",
        "first_contact_resolution",
        "help_center_sessions",
        "handoffs",
        "self_service_score",
        "median_first_reply_seconds",
        "sla.first_reply_met_rate",
        "csat.average",
        "csat.satisfied_rate",
        "nps.score",
    )
)
TILES_BY_TABLE = {f"trend-{figure.key}": figure for figure in TILES}
CONTENT_TABLES = ("top-questions", "content-gaps", "articles")
# Every table by name (an admin's view): the content tables, then the figures, agents, surveys and trends.
TABLE_NAMES = (
    *CONTENT_TABLES,
    "figures",
    "agents",
    "csat",
    "ces",
    *(f"trend-{figure.key}" for figure in TILES),
    "trend-ces",
)


@dataclass(frozen=True)
class Period:
    """The whole UTC days `first` to `last`, both included, and the trend's bucket size."""

    first: date
    last: date
    granularity: str  # "day" | "week"
    granularity_choice: str = "auto"  # what was asked for: "auto", "day" or "week"
    preset: int | None = None

    @property
    def bounds(self):
        return reports.days(self.first, self.last)

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def query(self):
        """The query string that selects this period again."""
        if self.preset is not None:
            params = {"preset": self.preset}
        else:
            params = {"from": self.first.isoformat(), "to": self.last.isoformat()}
        if self.granularity_choice != "auto":
            params["granularity"] = self.granularity_choice
        return params


def parse_period(args, today):
    """The period a dashboard query asks for; `InvalidInput` naming the field when it makes no sense.

    `args`: a mapping with `preset` (7, 30 or 90: the last N days, today
    included) or `from` and `to` (YYYY-MM-DD, UTC, both included, within
    `reports.EARLIEST_DAY` to `reports.LATEST_DAY`; either may be left out), and `granularity`
    ("auto", "day", "week"). Nothing: the last 30 days. At most `MAX_DAYS` days.
    """
    choice = args.get("granularity") or "auto"
    if choice not in GRANULARITY_CHOICES:
        raise InvalidInput("granularity", f"choose one of {', '.join(GRANULARITY_CHOICES)}")
    preset = args.get("preset")
    start, end = args.get("from") or None, args.get("to") or None
    if preset is None and start is None and end is None:
        preset = str(DEFAULT_PRESET)
    if preset is not None:
        if preset not in {str(days) for days in PRESETS}:
            raise InvalidInput("preset", f"choose the last {', '.join(map(str, PRESETS))} days")
        first, last, preset = today - timedelta(days=int(preset) - 1), today, int(preset)
    else:
        last = _date(end, "to") if end else today
        first = _date(start, "from") if start else last - timedelta(days=DEFAULT_PRESET - 1)
        if last < first:
            raise InvalidInput("to", f"the last day ({last}) is before the first day ({first})")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            "from", f"choose at most {MAX_DAYS} days (this range has {(last - first).days + 1})"
        )
    since, until = reports.days(first, last)
    granularity = reports.default_granularity(since, until) if choice == "auto" else choice
    return Period(first, last, granularity, choice, preset)


def _date(text, name):
    try:
        day = date.fromisoformat(text)
    except ValueError as e:
        raise InvalidInput(name, f"{text!r} is not a date; use the form YYYY-MM-DD") from e
    if problem := reports.day_out_of_range(day):
        raise InvalidInput(name, problem)
    return day


# What the dashboard shows.


@dataclass
class Dashboard:
    """The report of a period, the trend of its buckets (none for content-only views) and its tables."""

    period: Period
    report: reports.Report
    buckets: list[tuple] = field(default_factory=list)  # (since, until) of each trend bucket
    trend: list[reports.Report] = field(default_factory=list)

    @cached_property
    def _data(self):
        return self.report.as_dict(), [report.as_dict() for report in self.trend]

    def value(self, key):
        return value_at(self._data[0], key)

    def series(self, key):
        """The figure `key` in each trend bucket."""
        return [value_at(data, key) for data in self._data[1]]

    def bucket_labels(self):
        return [bucket_label(since, self.period.granularity) for since, _ in self.buckets]

    def tables(self, content_only=False):
        """Every table of the dashboard by name; `content_only`: those an editor sees."""
        return {name: self.table(name) for name in (CONTENT_TABLES if content_only else TABLE_NAMES)}

    def table(self, name):
        """The table `name` (one of `TABLE_NAMES`), built on demand: a CSV download needs only one."""
        if name == "top-questions":
            return top_questions_table(self.report)
        if name == "content-gaps":
            return content_gaps_table(self.report)
        if name == "articles":
            return articles_table(self.report)
        if name == "figures":
            return figures_table(self._data[0])
        if name == "agents":
            return agents_table(self.report)
        if name == "csat":
            return _answers_table("csat", "CSAT answers by score", "score", self.report.csat.distribution)
        if name == "ces":
            return _answers_table("ces", "CES answers", "answer", self.report.ces.distribution)
        if name == "trend-ces":
            return Table(
                "trend-ces",
                "CES answers over time",
                (Column("first day"), Column("last day"), *(Column(c, "count") for c in reports.CES_CHOICES)),
                [
                    (*_days(since, until), *(report.ces.distribution[c] for c in reports.CES_CHOICES))
                    for (since, until), report in zip(self.buckets, self.trend, strict=True)
                ],
            )
        return self.trend_table(TILES_BY_TABLE[name])

    def trend_table(self, figure):
        return Table(
            f"trend-{figure.key}",
            f"{figure.label} over time",
            (Column("first day"), Column("last day"), Column(figure.label, figure.kind)),
            [
                (*_days(since, until), value)
                for (since, until), value in zip(self.buckets, self.series(figure.key), strict=True)
            ],
        )


def build(session, period, settings, encode, content_only=False):
    """The dashboard of `period`: the report and, unless `content_only`, its trend, from one read."""
    since, until = period.bounds
    with paused_collection():
        records = reports.read_records(session, since, until, settings)
        counted = reports.counted(records, since, until)  # once, for the report and its trend
        judged = reports.judge(records, since, until, settings, counted)
        report = reports.summarize_records(records, since, until, settings, encode, judged, counted)
        if content_only:
            return Dashboard(period, report)
        buckets = reports.trend_periods(since, until, period.granularity)
        return Dashboard(period, report, buckets, reports.trend(records, buckets, settings, judged, counted))


def value_at(data, key):
    """The value at the dotted `key` of nested dicts: value_at(report, "csat.average")."""
    for part in key.split("."):
        data = data[part]
    return data


def bucket_label(since, granularity):
    return f"{since:%b} {since.day}" if granularity == "day" else f"wk {since:%b} {since.day}"


def _answers_table(name, title, answer, distribution):
    """A survey's answers (`distribution`: {answer: responses}), one row each; `answer` heads their column."""
    return Table(name, title, (Column(answer), Column("responses", "count")), list(distribution.items()))


def _days(since, until):
    """A bucket's first and last day, both included (ISO dates)."""
    return since.date().isoformat(), (until - timedelta(days=1)).date().isoformat()


def figures_table(data):
    """Every figure of the report (`data`: `Report.as_dict()`), with its value as shown."""
    values = [(figure, value_at(data, figure.key)) for figure in FIGURES]
    return Table(
        "figures",
        "Figures",
        (Column("figure"), Column("key"), Column("value"), Column("shown as")),
        [
            (figure.label, figure.key, value, reports.format_value(value, figure.kind))
            for figure, value in values
        ],
    )


def new_article_prefill(topic):
    """What the article editor is opened with for a content-gap topic: its label as title, every phrasing as a question."""
    return {"title": topic.label[:1].upper() + topic.label[1:], "question": [topic.label, *topic.examples]}
