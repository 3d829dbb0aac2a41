"""The analytics dashboard: the report's figures with their trends, surveys, and the content view.

Admins see everything; editors see the content part (top questions, content
gaps, article performance), which is what they act on; agents work the
handoff queue and have no dashboard. Every table can be downloaded as CSV for
the same period.
"""

import functools
from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from ... import reports
from ...errors import InvalidInput
from ...reports import charts, csv_export, dashboard, performance
from .. import services
from ..session import get_session
from .access import role_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def _build(period, content_only, content_gaps=True):
    """The dashboard of `period`; `content_gaps` False spares grouping them (and loading the model)."""
    settings = reports.ReportSettings.from_config(current_app.config)
    session = get_session()
    built = dashboard.build(
        session,
        period,
        settings if content_gaps else replace(settings, content_gaps=0),
        encode=services.question_encoder(session),
        content_only=content_only,
    )
    answered = reports.with_current_answers(
        built.report, functools.partial(services.answering_article, session)
    )
    return replace(built, report=answered)


def _today():
    return datetime.now(UTC).date()


def _content_only():
    return not current_user.has_role("admin")


@bp.get("/")
@role_required("editor")
def index():
    content_only = _content_only()
    page = {"args": request.args, "content_only": content_only, "presets": dashboard.PRESETS}
    try:
        period = dashboard.parse_period(request.args, _today())
    except InvalidInput as e:
        return render_template("staff/dashboard/index.html", error=e, **page), 400
    dash = _build(period, content_only)
    tables = dash.tables(content_only)
    return render_template(
        "staff/dashboard/index.html",
        dash=dash,
        period=period,
        tables=tables,
        panels=[] if content_only else _trend_panels(dash, tables),
        surveys=None if content_only else _survey_charts(dash),
        failing=performance.failing_articles(dash.report.articles),
        helpful_share=performance.helpful_share,
        new_article_prefill=dashboard.new_article_prefill,
        fmt=reports.format_value,
        **page,
    )


@bp.get("/<name>.csv")
@role_required("editor")
def export(name):
    if name not in dashboard.TABLE_NAMES:
        abort(404)
    content_only = _content_only()
    if content_only and name not in dashboard.CONTENT_TABLES:
        abort(403)
    try:
        period = dashboard.parse_period(request.args, _today())
    except InvalidInput as e:
        return Response(f"{e.field}: {e.message}\n", 400, mimetype="text/plain")
    content_table = name in dashboard.CONTENT_TABLES
    table = _build(period, content_only=content_table, content_gaps=name == "content-gaps").table(name)
    body = csv_export.to_csv([column.name for column in table.columns], table.rows)
    filename = f"kbbot-{name}-{period.first}-to-{period.last}.csv"
    # The byte-order mark makes Excel read the file as UTF-8.
    response = Response("\ufeff" + body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _trend_panels(dash, tables):
    """Per headline figure: its value for the period, its trend chart and the chart's table."""
    labels = dash.bucket_labels()
    panels = []
    for figure in dashboard.TILES:
        series = dash.series(figure.key)
        svg = charts.line_chart(
            f"chart-{figure.key.replace('.', '-')}",
            f"{figure.label} by {dash.period.granularity}",
            labels,
            series,
            fmt=functools.partial(reports.format_value, kind=figure.kind),
            domain=figure.domain,
        )
        panels.append((figure, dash.value(figure.key), svg, tables[f"trend-{figure.key}"]))
    return panels


def _bars(distribution):
    """(labels, values) of a survey's {score or choice: answers}, in its order."""
    return list(distribution), list(distribution.values())


def _survey_charts(dash):
    """The CSAT and CES distributions of the period, and CES answers per bucket."""
    report = dash.report
    count = functools.partial(reports.format_value, kind="count")
    return {
        "csat": charts.bar_chart(
            "chart-csat-distribution",
            "CSAT answers by score (1 to 5)",
            *_bars(report.csat.distribution),
            fmt=count,
        ),
        "ces": charts.bar_chart(
            "chart-ces-distribution", "CES answers", *_bars(report.ces.distribution), fmt=count
        ),
        "ces_trend": charts.stacked_bar_chart(
            "chart-ces-trend",
            f"CES answers by {dash.period.granularity}",
            dash.bucket_labels(),
            {choice: [r.ces.distribution[choice] for r in dash.trend] for choice in reports.CES_CHOICES},
            fmt=count,
        ),
    }
