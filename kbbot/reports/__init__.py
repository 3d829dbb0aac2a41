"""Deflection and customer-experience figures for a period (`kbbot report`, the staff dashboard).

The definitions are in docs/metrics.md. Every figure is a pure function of
plain records (`records.ConversationRecord`, `SurveyAnswer`, `VisitorAction`, `ArticleActivity`);
`summarize` applies the definitions to them, and `read_records` is the one
function that reads those records from the database: `build_report` (the
command line) and `trend` (the dashboard's charts) both summarize what it
read, so the command line and the dashboard always show the same numbers.
What a definition needs of one conversation's words is worked out from its
full record when it changes (`facts.conversation_facts`) and stored
(`kbbot.support.outcome_facts`), so `read_records` reads one row per
conversation (`records.ConversationFacts`), not its messages; `summarize`
takes either.

The modules: `records` (what the definitions read), `periods`, `settings`,
the definitions by concept (`transcript`, `facts`, `deflection`, `surveys`, `content_gaps`,
`performance`, `sla`, `agents`, with `rates` and `kinds`), `reading` and `full_records` (the only SQL),
`summary` (the `Report`, built with `collection`'s collector paused), `text`, `charts`, `csv_export`,
`tables` and `dashboard`. This package
re-exports what its callers use.
"""

from ..models import CES_CHOICES
from ..text import normalize_question
from .content_gaps import (
    QuestionCount,
    Topic,
    content_gap_questions,
    content_gap_topics,
    top_questions,
    with_current_answers,
)
from .deflection import (
    came_back_with_same_question,
    count_sessions,
    followed_by_repeat_contact,
    in_period,
    outcome,
)
from .facts import conversation_facts
from .performance import article_performance
from .periods import (
    DEFAULT_PERIOD_DAYS,
    EARLIEST_DAY,
    GRANULARITIES,
    LATEST_DAY,
    day_out_of_range,
    days,
    default_granularity,
    trend_periods,
)
from .reading import read_records
from .settings import ReportSettings
from .summary import Report, build_report, counted, judge, summarize, summarize_records, trend
from .surveys import ces_summary, csat_summary, nps_summary
from .text import format_value
from .transcript import replies_to_answers

__all__ = [
    "CES_CHOICES",
    "DEFAULT_PERIOD_DAYS",
    "EARLIEST_DAY",
    "GRANULARITIES",
    "LATEST_DAY",
    "QuestionCount",
    "Report",
    "ReportSettings",
    "Topic",
    "article_performance",
    "build_report",
    "came_back_with_same_question",
    "ces_summary",
    "content_gap_questions",
    "content_gap_topics",
    "conversation_facts",
    "count_sessions",
    "counted",
    "csat_summary",
    "day_out_of_range",
    "days",
    "default_granularity",
    "followed_by_repeat_contact",
    "format_value",
    "in_period",
    "judge",
    "normalize_question",
    "nps_summary",
    "outcome",
    "read_records",
    "replies_to_answers",
    "summarize",
    "summarize_records",
    "top_questions",
    "trend",
    "trend_periods",
    "with_current_answers",
]
