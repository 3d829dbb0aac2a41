"""The staff dashboard: the same figures as `kbbot report`, per-role content, date ranges, CSV, charts."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from kbbot import reports
from kbbot.accounts import users
from kbbot.articles.sync import sync_directory
from kbbot.errors import InvalidInput
from kbbot.models import Article
from kbbot.reports import charts, csv_export, dashboard
from kbbot.web.session import get_session
from tests.helpers import (
    PASSWORD,
    SETTINGS,
    add_conversation,
    ask,
    at,
    build_support_app,
    seed_agent_history,
    seed_history,
    sign_in,
    write_article,
)

RANGE = {"from": "2026-03-01", "to": "2026-03-10"}


@pytest.fixture
def staff(app):
    """A signed-in test client per role: staff("admin"), staff("editor")..."""

    def signed_in(role):
        with app.app_context():
            users.create_user(get_session(), f"{role}@example.com", [role], password=PASSWORD)
        client = app.test_client()
        assert sign_in(client, email=f"{role}@example.com").status_code == 302
        return client

    return signed_in


@pytest.fixture
def history(app, session):
    seed_history(session)


def read_csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def cli_report(app):
    args = ["report", "--since", RANGE["from"], "--until", RANGE["to"], "--json"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def orthogonal(texts):  # every distinct question a topic of its own
    return np.eye(len(texts), dtype=np.float32)


def as_csv_value(value):
    return "" if value is None else str(value)


# The same numbers as `kbbot report`.


def test_the_dashboard_shows_the_figures_of_kbbot_report(app, history, staff):
    admin = staff("admin")
    expected = cli_report(app)
    figures = read_csv(admin.get("/staff/dashboard/figures.csv", query_string=RANGE))
    assert [row["key"] for row in figures] == [figure.key for figure in dashboard.FIGURES]
    for row in figures:
        assert row["value"] == as_csv_value(dashboard.value_at(expected, row["key"])), row
    # The page's tiles carry the same values.
    page = admin.get("/staff/dashboard/", query_string=RANGE).get_data(as_text=True)
    tiles = dict(re.findall(r'data-figure="([\w.]+)" data-value=\'([^\']*)\'', page))
    assert set(tiles) == {figure.key for figure in dashboard.TILES}
    for key, value in tiles.items():
        assert json.loads(value) == dashboard.value_at(expected, key), key
    # And so do the content tables.
    questions = read_csv(admin.get("/staff/dashboard/top-questions.csv", query_string=RANGE))
    assert [(q["question"], int(q["times asked"])) for q in questions] == [
        (q["question"], q["count"]) for q in expected["top_questions"]
    ]
    gaps = read_csv(admin.get("/staff/dashboard/content-gaps.csv", query_string=RANGE))
    assert [(g["topic"], int(g["questions"]), g["other phrasings"]) for g in gaps] == [
        (g["label"], g["count"], "; ".join(g["examples"])) for g in expected["content_gaps"]
    ]
    articles = read_csv(admin.get("/staff/dashboard/articles.csv", query_string=RANGE))
    assert [
        (a["slug"], int(a["views"]), int(a["cited"]), int(a["contacted a person"])) for a in articles
    ] == [(a["slug"], a["views"], a["cited"], a["contacted"]) for a in expected["articles"]]


def test_the_agents_table_is_the_report_s_agents_for_admins_only(app, staff):
    with app.app_context():  # closed before the requests: each signs in its own client
        seed_agent_history(get_session())
    expected = cli_report(app)["agents"]
    admin = staff("admin")
    rows = read_csv(admin.get("/staff/dashboard/agents.csv", query_string=RANGE))
    assert [
        (row["agent"], int(row["handoffs handled"]), row["median first reply"], row["SLA met share"])
        for row in rows
    ] == [
        (
            agent["name"],
            agent["handled"],
            as_csv_value(agent["median_first_reply_seconds"]),
            str(agent["sla_met_rate"]),
        )
        for agent in expected
    ]
    html = admin.get("/staff/dashboard/", query_string=RANGE).get_data(as_text=True)
    assert 'data-table="agents"' in html and "Alex Agent" in html and "30m 00s" in html
    editor = staff("editor").get("/staff/dashboard/", query_string=RANGE).get_data(as_text=True)
    assert 'data-table="agents"' not in editor and "Alex Agent" not in editor


def test_every_scalar_of_the_report_is_a_dashboard_figure(app, history):
    data = cli_report(app)
    not_figures = {
        "since",
        "until",
        "deflection_window_hours",
        "repeat_contact_days",
        "contact_window_minutes",
    }

    def scalars(value, prefix=""):
        if isinstance(value, dict):
            return [key for name, item in value.items() for key in scalars(item, f"{prefix}{name}.")]
        return [] if isinstance(value, list) else [prefix[:-1]]

    assert set(scalars(data)) - not_figures == set(dashboard.FIGURES_BY_KEY)


def test_each_trend_bucket_is_the_report_of_that_bucket(app, history):
    """The trend summarizes records read once; each bucket equals `build_report` of its own days."""
    with app.app_context():
        session = get_session()
        since, until = reports.days(date(2026, 3, 1), date(2026, 3, 10))
        records = reports.read_records(session, since, until, SETTINGS)
        buckets = reports.trend_periods(since, until, "day")
        trend = reports.trend(records, buckets, SETTINGS)
        whole = reports.build_report(session, since, until, SETTINGS, orthogonal)
        for (start, end), bucket in zip(buckets, trend, strict=True):
            alone = reports.build_report(session, start, end, SETTINGS, orthogonal)
            bucket_figures = {f.key: dashboard.value_at(bucket.as_dict(), f.key) for f in dashboard.FIGURES}
            alone_figures = {f.key: dashboard.value_at(alone.as_dict(), f.key) for f in dashboard.FIGURES}
            assert bucket_figures == alone_figures, start
    assert sum(bucket.conversations for bucket in trend) == whole.conversations == 12


def test_trend_periods_are_days_or_monday_weeks_inside_the_period():
    since, until = reports.days(date(2026, 3, 4), date(2026, 3, 17))  # a Wednesday to a Tuesday
    days = reports.trend_periods(since, until, "day")
    assert len(days) == 14 and days[0] == reports.days(date(2026, 3, 4), date(2026, 3, 4))
    weeks = reports.trend_periods(since, until, "week")
    assert [(start.date().isoformat(), end.date().isoformat()) for start, end in weeks] == [
        ("2026-03-04", "2026-03-09"),
        ("2026-03-09", "2026-03-16"),
        ("2026-03-16", "2026-03-18"),
    ]
    assert reports.default_granularity(*reports.days(date(2026, 1, 1), date(2026, 1, 31))) == "day"
    assert reports.default_granularity(*reports.days(date(2026, 1, 1), date(2026, 2, 1))) == "week"


# Who sees what.


def test_an_editor_sees_only_the_content_part(app, history, staff):
    editor = staff("editor")
    page = editor.get("/staff/dashboard/", query_string=RANGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    content_parts = ("Needs attention", "Top questions", "Content gaps", "Articles that fail customers")
    for content in (*content_parts, "Article performance", "how do i get a refund"):
        assert content in html
    for figure in ("Deflection rate", "CSAT", "NPS", "data-figure=", "<svg"):
        assert figure not in html
    for name in dashboard.CONTENT_TABLES:
        assert editor.get(f"/staff/dashboard/{name}.csv", query_string=RANGE).status_code == 200
    for name in ("figures", "agents", "csat", "ces", "trend-deflection_rate", "trend-ces"):
        assert editor.get(f"/staff/dashboard/{name}.csv", query_string=RANGE).status_code == 403
    assert editor.get("/staff/dashboard/passwords.csv").status_code == 404


def test_an_admin_sees_every_figure_with_its_trend_and_every_table(app, history, staff):
    admin = staff("admin")
    html = admin.get("/staff/dashboard/", query_string=RANGE).get_data(as_text=True)
    for figure in dashboard.TILES:
        assert f'data-chart="chart-{figure.key.replace(".", "-")}"' in html
    assert 'data-chart="chart-csat-distribution"' in html and 'data-chart="chart-ces-trend"' in html
    for name in dashboard.TABLE_NAMES:
        assert f"/staff/dashboard/{name}.csv?" in html, name
        assert admin.get(f"/staff/dashboard/{name}.csv", query_string=RANGE).status_code == 200, name


def test_agents_have_no_dashboard_and_the_nav_links_it_for_editors(app, staff):
    agent = staff("agent")
    assert agent.get("/staff/dashboard/").status_code == 403
    assert 'href="/staff/dashboard/"' not in agent.get("/staff/").get_data(as_text=True)
    home = staff("editor").get("/staff/").get_data(as_text=True)
    assert home.count('href="/staff/dashboard/"') == 2  # the nav and the home page


def test_the_page_keeps_the_strict_policy(app, staff):
    page = staff("admin").get("/staff/dashboard/")
    html = page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(' src="/static/' in script for script in scripts) and " style=" not in html  # none inline
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


# The period.


TODAY = date(2026, 3, 20)


def period(**args):
    return dashboard.parse_period(args, TODAY)


def test_presets_defaults_and_granularity():
    assert (period().first, period().last, period().preset) == (date(2026, 2, 19), TODAY, 30)
    assert (period(preset="7").first, period(preset="7").granularity) == (date(2026, 3, 14), "day")
    assert period(preset="90").granularity == "week"
    assert period(preset="90", granularity="day").granularity == "day"
    chosen = period(**{"from": "2026-03-01", "to": "2026-03-03"})
    assert (chosen.first, chosen.last, chosen.days, chosen.preset) == (
        date(2026, 3, 1),
        date(2026, 3, 3),
        3,
        None,
    )
    assert chosen.query() == {"from": "2026-03-01", "to": "2026-03-03"}
    assert period(**{"from": "2026-03-01"}).last == TODAY
    assert period(to="2026-03-10").first == date(2026, 3, 10) - timedelta(days=29)


def test_the_period_reads_as_one_day_or_a_range(app, staff):
    admin = staff("admin")
    one = admin.get("/staff/dashboard/", query_string={"from": "2026-03-01", "to": "2026-03-01"})
    assert "1 Mar 2026 (UTC, 1 day)" in one.get_data(as_text=True)
    two = admin.get("/staff/dashboard/", query_string={"from": "2026-03-01", "to": "2026-03-02"})
    assert "1 Mar 2026 to 2 Mar 2026 (UTC, 2 days)" in two.get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-02-30"}, "from", "'2026-02-30' is not a date"),
        ({"to": "yesterday"}, "to", "'yesterday' is not a date"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to", "before the first day"),
        ({"from": "2020-01-01", "to": "2026-03-01"}, "from", "at most 366 days"),
        ({"preset": "14"}, "preset", "7, 30, 90"),
        ({"granularity": "hour"}, "granularity", "auto, day, week"),
        ({"to": "0001-01-01"}, "to", "0001-01-01 is out of range"),  # 30 days before: no such date
        ({"to": "9999-12-31"}, "to", "9999-12-31 is out of range"),  # the day after: no such date
    ],
)
def test_a_bad_period_is_a_clear_message(app, staff, args, field, message):
    with pytest.raises(InvalidInput) as raised:
        period(**args)
    assert raised.value.field == field and message in raised.value.message
    admin = staff("admin")
    page = admin.get("/staff/dashboard/", query_string=args)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True).replace("&#39;", "'")
    assert 'role="alert"' in page.get_data(as_text=True)
    export = admin.get("/staff/dashboard/figures.csv", query_string=args)
    assert export.status_code == 400 and message in export.get_data(as_text=True)


# CSV.


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    assert [csv_export.safe_cell(v) for v in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "ok", "a=b")] == [
        "'=1+1",
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        "a=b",
    ]
    assert [csv_export.safe_cell(v) for v in ("-12.5", "-3%", -4, 0.25, None)] == [
        "-12.5",
        "-3%",
        -4,
        0.25,
        "",
    ]
    text = csv_export.to_csv(["a", "b"], [['say "hi", then', 1]])
    assert text == 'a,b\r\n"say ""hi"", then",1\r\n'


def test_a_hostile_question_is_exported_inert_and_in_utf_8(app, session, staff):

    add_conversation(
        session, "v1", at(2, 10), [('=HYPERLINK("http://evil.example","¿reembolso?")', "suggest", None, None)]
    )
    add_conversation(session, "v2", at(2, 11), [("¿Dónde está mi factura?", "answer", None, None)])
    session.commit()
    response = staff("admin").get("/staff/dashboard/top-questions.csv", query_string=RANGE)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="kbbot-top-questions-2026-03-01-to-2026-03-10.csv"'
    )
    assert response.data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    questions = [row["question"] for row in read_csv(response)]
    assert "¿dónde está mi factura" in questions
    assert '\'=hyperlink("http://evil.example","¿reembolso?")' in questions


# Content gaps open the editor.


def test_a_content_gap_prefills_the_editor_with_its_label_and_phrasings():
    topic = reports.Topic("how do i connect hubspot", 2, ("hubspot integration", "crm & hubspot?"))
    assert dashboard.new_article_prefill(topic) == {
        "title": "How do i connect hubspot",
        "question": ["how do i connect hubspot", "hubspot integration", "crm & hubspot?"],
    }


def test_content_gaps_on_the_page_open_the_editor_prefilled(app, history, staff):
    editor = staff("editor")
    html = editor.get("/staff/dashboard/", query_string=RANGE).get_data(as_text=True)
    link = re.search(r'href="(/staff/articles/new\?title=How[^"]+)"', html)[1]
    form = editor.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="How do i connect hubspot"' in form
    assert "hubspot integration" in form


# Charts.


def test_a_line_chart_has_one_point_per_bucket_and_an_accessible_name():
    svg = charts.line_chart(
        "chart-x",
        "Deflection rate by day",
        ["Mar 1", "Mar 2", "Mar 3"],
        [0.25, 0.5, 0.0],
        fmt=lambda v: f"{100 * v:.0f}%",
        domain=(0, 1),
    )
    assert svg.count("<circle") == 3
    assert '<title id="chart-x-title">Deflection rate by day</title>' in svg
    assert 'role="img" aria-labelledby="chart-x-title chart-x-desc"' in svg
    assert "Lowest 0% (Mar 3), highest 50% (Mar 2), last 0% (Mar 3)." in svg
    assert re.search(r'<path class="line" d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+"', svg)
    assert " style=" not in svg


def test_a_line_chart_breaks_at_missing_values_and_escapes_labels():
    svg = charts.line_chart("c", "<b>CSAT</b>", ["a", "<i>", "c"], [1.0, None, 2.0])
    assert svg.count("<circle") == 2 and svg.count("M") == 2  # two separate segments
    assert "<b>" not in svg and "&lt;b&gt;CSAT" in svg and "&lt;i&gt;" in svg


def test_bar_and_stacked_charts_draw_each_value():
    bars = charts.bar_chart("csat", "CSAT", ["1", "2", "3"], [0, 2, 5])
    assert bars.count('class="bar"') == 3 and "1: 0; 2: 2; 3: 5." in bars
    stacked = charts.stacked_bar_chart(
        "ces", "CES", ["w1", "w2"], {"easy": [1, 2], "neither": [0, 1], "difficult": [3, 0]}
    )
    assert stacked.count('class="segment') == 4  # zero segments are not drawn
    assert "Totals per bucket: w1: 4; w2: 3." in stacked


def test_nice_ticks_are_round():
    assert charts.nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1.0]
    assert charts.nice_ticks(0, 37) == [0, 10, 20, 30, 40]
    assert charts.nice_ticks(-100, 100) == [-100, -50, 0, 50, 100]


def test_a_gap_an_article_has_closed_since_says_which_article_answers_it_now(tmp_path):
    app = build_support_app(tmp_path, BUSINESS_HOURS="24/7")
    customer = app.test_client()
    assert ask(customer, "do you integrate with hubspot")["action"] == "handoff"
    with app.app_context():
        users.create_user(get_session(), "ed@example.com", ["editor"], password=PASSWORD)
    editor = app.test_client()
    assert sign_in(editor, email="ed@example.com").status_code == 302
    assert "Answered now" not in editor.get("/staff/dashboard/").get_data(as_text=True)

    write_article(
        tmp_path / "support-articles",  # the app's help center (helpers.build_support_app)
        "integrations/connect-hubspot.md",
        "Ledgerly integrates with HubSpot: connect it in Settings → Integrations → HubSpot.\n",
        title="Connecting HubSpot",
        category="Integrations",
        questions=["do you integrate with hubspot", "hubspot integration"],
    )
    with app.app_context():
        sync_directory(get_session(), tmp_path / "support-articles", app.config["MAX_ARTICLE_BYTES"])
    html = editor.get("/staff/dashboard/").get_data(as_text=True)
    assert "Answered now" in html and "Connecting HubSpot</a>" in html
    gaps = read_csv(editor.get("/staff/dashboard/content-gaps.csv"))
    assert [(g["topic"], g["answered now by"]) for g in gaps] == [
        ("do you integrate with hubspot", "connect-hubspot")
    ]


# What needs attention comes first.


def test_content_gaps_and_failing_articles_come_before_the_trends(app, history, staff):
    html = staff("admin").get("/staff/dashboard/", query_string=RANGE).get_data(as_text=True)
    attention = html.index('id="attention-heading"')
    assert html.index('id="figures-heading"') < attention < html.index('id="trends-heading"')
    assert (
        attention
        < html.index("Content gaps")
        < html.index("Articles that fail customers")
        < html.index('id="trends-heading"')
    )


def test_a_deflection_still_inside_its_window_shows_as_pending_not_as_zero(app, session, staff):
    article = Article(slug="refunds", title="Refunds", content_hash="refunds")
    session.add(article)
    session.flush()
    recent = datetime.now(UTC) - timedelta(minutes=5)
    add_conversation(session, "fresh", recent, [("how do i get a refund", "answer", article, None)])
    session.commit()
    html = staff("admin").get("/staff/dashboard/").get_data(as_text=True)
    tile = html[html.index('data-figure="deflection_rate"') :]
    tile = tile[: tile.index("</li>")]
    assert '<strong class="tile-value">Pending</strong>' in tile
    assert "1 conversation still in the 24 h window, not counted yet" in tile
