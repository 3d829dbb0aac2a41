"""The dashboard's tables of the report's lists: top questions, content gaps, article performance and
agents. Each is shown on the page and exported as `<name>.csv`, raw values in its rows."""

from dataclasses import dataclass, field

from .agents import AgentFigures
from .kinds import kind_of
from .performance import ArticlePerformance


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # a `Figure.kind`, or "text"


@dataclass(frozen=True)
class Table:
    """One table of the dashboard, shown on the page and exported as `<name>.csv`; raw values in `rows`."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple] = field(default_factory=list)


def top_questions_table(report):
    return Table(
        "top-questions",
        "Top questions",
        (Column("question"), Column("times asked", "count")),
        [(item.question, item.count) for item in report.top_questions],
    )


def content_gaps_table(report):
    return Table(
        "content-gaps",
        "Content gaps",
        (Column("topic"), Column("questions", "count"), Column("other phrasings"), Column("answered now by")),
        [
            (
                topic.label,
                topic.count,
                "; ".join(topic.examples),
                topic.answered_now_by[0] if topic.answered_now_by else "",
            )
            for topic in report.content_gaps
        ],
    )


def articles_table(report):
    return _records_table(
        "articles",
        "Article performance",
        report.articles,
        ArticlePerformance,
        (
            ("title", "article"),
            ("slug", "slug"),
            ("contact_rate", "contact rate"),
            ("contacted", "contacted a person"),
            ("reached", "reached"),
            ("views", "views"),
            ("cited", "cited"),
            ("suggested", "suggested"),
            ("article_helpful", "article votes helpful"),
            ("article_votes", "article votes"),
            ("answer_helpful", "answer votes helpful"),
            ("answer_votes", "answer votes"),
            ("resolved", "resolved"),
        ),
    )


def agents_table(report):
    return _records_table(
        "agents",
        "Agents",
        report.agents,
        AgentFigures,
        (
            ("name", "agent"),
            ("handled", "handoffs handled"),
            ("first_replies", "first replies"),
            ("median_first_reply_seconds", "median first reply"),
            ("median_first_reply_business_seconds", "median first reply, business hours"),
            ("csat_responses", "CSAT responses"),
            ("csat_average", "CSAT average (1-5)"),
            ("csat_satisfied_rate", "CSAT (share of 4 and 5)"),
            ("sla_targets", "SLA targets"),
            ("sla_met", "SLA targets met"),
            ("sla_met_rate", "SLA met share"),
        ),
    )


def _records_table(name, title, records, record_type, columns):
    """A table of `records` (instances of the dataclass `record_type`), a row each. `columns`: (attribute,
    heading) pairs; each column's kind is its attribute's (`kind_of`)."""
    return Table(
        name,
        title,
        tuple(Column(heading, kind_of(record_type, attribute)) for attribute, heading in columns),
        [tuple(getattr(record, attribute) for attribute, _ in columns) for record in records],
    )
