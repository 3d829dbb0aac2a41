"""The dashboard's tables of the report's lists: top questions, content gaps, article performance and
agents. Each is shown on the page and exported as `<name>.csv`, raw values in its rows."""

from dataclasses import dataclass, field


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
    return Table(
        "articles",
        "Article performance",
        (
            Column("article"),
            Column("slug"),
            Column("contact rate", "rate"),
            Column("contacted a person", "count"),
            Column("reached", "count"),
            Column("views", "count"),
            Column("cited", "count"),
            Column("suggested", "count"),
            Column("article votes helpful", "count"),
            Column("article votes", "count"),
            Column("answer votes helpful", "count"),
            Column("answer votes", "count"),
            Column("resolved", "count"),
        ),
        [
            (
                row.title,
                row.slug,
                row.contact_rate,
                row.contacted,
                row.reached,
                row.views,
                row.cited,
                row.suggested,
                row.article_helpful,
                row.article_votes,
                row.answer_helpful,
                row.answer_votes,
                row.resolved,
            )
            for row in report.articles
        ],
    )


def agents_table(report):
    return Table(
        "agents",
        "Agents",
        (
            Column("agent"),
            Column("handoffs handled", "count"),
            Column("first replies", "count"),
            Column("median first reply", "duration"),
            Column("median first reply, business hours", "duration"),
            Column("CSAT responses", "count"),
            Column("CSAT average (1-5)", "score"),
            Column("CSAT (share of 4 and 5)", "rate"),
            Column("SLA targets", "count"),
            Column("SLA targets met", "count"),
            Column("SLA met share", "rate"),
        ),
        [
            (
                row.name,
                row.handled,
                row.first_replies,
                row.median_first_reply_seconds,
                row.median_first_reply_business_seconds,
                row.csat_responses,
                row.csat_average,
                row.csat_satisfied_rate,
                row.sla_targets,
                row.sla_met,
                row.sla_met_rate,
            )
            for row in report.agents
        ],
    )
