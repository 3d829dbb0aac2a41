"""Per-agent figures: handoffs handled, median first reply, CSAT and SLA met share, by pure functions and
in `kbbot report` on a scripted history."""

import json

from kbbot import reports
from kbbot.reports.agents import agent_figures, handlers
from kbbot.reports.records import ConversationRecord, HandoffRecord, ReplyTargetRecord, SurveyAnswer
from kbbot.support import business_hours
from kbbot.web.session import get_session
from tests.helpers import SETTINGS, at, make_app, seed_agent_history

ALEX, BO = 1, 2
NAMES = {ALEX: "Alex", BO: "Bo"}


def handed_off(id_, created, first_reply=None, status="assigned", assignee=None, repliers=()):
    handoff = HandoffRecord(
        "customer_request",
        status,
        created,
        first_reply_at=first_reply,
        assignee_id=assignee,
        first_replier_id=repliers[0] if repliers else None,
        repliers=tuple(repliers),
    )
    return ConversationRecord(id_, f"v{id_}", created, created, handoff=handoff)


def figures(conversations, surveys=(), targets=(), schedule=None):
    rows = agent_figures(conversations, surveys, targets, at(1, 0), at(11, 0), NAMES, schedule)
    return {row.name: row for row in rows}


def test_an_agent_handles_the_handoffs_they_replied_in_or_resolved_while_assigned():
    replied = handed_off(1, at(2, 10), at(2, 10, 5), repliers=[ALEX, BO], assignee=BO).handoff
    assert handlers(replied) == {ALEX, BO}
    resolved = HandoffRecord("low_confidence", "resolved", at(2, 10), assignee_id=BO)
    assert handlers(resolved) == {BO}
    # Assigned but neither answered nor resolved: not handled yet.
    assert handlers(HandoffRecord("low_confidence", "assigned", at(2, 10), assignee_id=BO)) == set()


def test_the_first_reply_counts_for_the_agent_who_wrote_it():
    rows = figures(
        [
            handed_off(1, at(2, 10), at(2, 10, 10), repliers=[ALEX, BO]),
            handed_off(2, at(3, 10), at(3, 10, 30), repliers=[ALEX]),
            handed_off(3, at(4, 10), at(4, 12), repliers=[BO, ALEX]),
        ]
    )
    assert (rows["Alex"].handled, rows["Alex"].first_replies) == (3, 2)
    assert rows["Alex"].median_first_reply_seconds == 20 * 60
    assert (rows["Bo"].handled, rows["Bo"].first_replies, rows["Bo"].median_first_reply_seconds) == (
        2,
        1,
        7200,
    )


def test_the_first_reply_in_business_hours_skips_the_closed_time():
    # 2026-03-06 is a Friday: handed off at 16:30, answered Monday at 9:30 is one business hour.
    friday = handed_off(1, at(6, 16, 30), at(9, 9, 30), repliers=[ALEX])
    row = figures([friday], schedule=business_hours.parse("mon-fri 09:00-17:00"))["Alex"]
    assert row.median_first_reply_business_seconds == 3600
    assert row.median_first_reply_seconds == (at(9, 9, 30) - at(6, 16, 30)).total_seconds()


def test_csat_is_of_the_conversations_an_agent_handled():
    conversations = [
        handed_off(1, at(2, 10), at(2, 10, 5), repliers=[ALEX]),
        handed_off(2, at(2, 11), at(2, 11, 5), repliers=[ALEX, BO]),
    ]
    surveys = [SurveyAnswer(1, "csat", 5), SurveyAnswer(2, "csat", 2), SurveyAnswer(2, "nps", 10)]
    rows = figures(conversations, surveys)
    assert (rows["Alex"].csat_responses, rows["Alex"].csat_average, rows["Alex"].csat_satisfied_rate) == (
        2,
        3.5,
        0.5,
    )
    assert (rows["Bo"].csat_responses, rows["Bo"].csat_average) == (1, 2.0)


def test_sla_targets_count_for_the_replier_else_the_assignee_in_the_period():
    targets = [
        ReplyTargetRecord("first_reply", at(2, 10), True, agent_id=ALEX, assignee_id=BO),
        ReplyTargetRecord("next_reply", at(3, 10), False, agent_id=ALEX, assignee_id=ALEX),
        ReplyTargetRecord("first_reply", at(4, 10), False, agent_id=None, assignee_id=BO),  # resolved late
        ReplyTargetRecord("first_reply", at(4, 11), False),  # resolved late, never assigned: nobody's
        ReplyTargetRecord("first_reply", at(12, 10), False, agent_id=ALEX),  # after the period
    ]
    rows = figures([], targets=targets)
    assert (rows["Alex"].sla_targets, rows["Alex"].sla_met, rows["Alex"].sla_met_rate) == (2, 1, 0.5)
    assert (rows["Bo"].sla_targets, rows["Bo"].sla_met_rate, rows["Bo"].handled) == (1, 0.0, 0)
    assert set(rows) == {"Alex", "Bo"}


def test_nothing_measured_is_none():
    alone = figures([handed_off(1, at(2, 10), status="resolved", assignee=BO)])["Bo"]
    assert alone.handled == 1
    assert (alone.median_first_reply_seconds, alone.csat_average, alone.sla_met_rate) == (None, None, None)


def test_kbbot_report_lists_each_agent_from_the_database(app, session):
    ids = seed_agent_history(session)
    since, until = reports.days(at(1, 0).date(), at(10, 0).date())
    report = reports.build_report(session, since, until, SETTINGS, encode=None)
    assert [(row.name, row.agent_id) for row in report.agents] == [
        ("Alex Agent", ids["Alex Agent"]),
        ("bo@example.com", ids["bo@example.com"]),
    ]
    alex, bo = report.agents
    assert (alex.handled, alex.first_replies, alex.median_first_reply_seconds) == (2, 1, 1800)
    assert (alex.csat_responses, alex.csat_average, alex.sla_targets, alex.sla_met_rate) == (2, 3.0, 1, 1.0)
    assert (bo.handled, bo.first_replies, bo.median_first_reply_seconds) == (2, 1, 3600)
    assert (bo.csat_responses, bo.csat_average, bo.sla_targets, bo.sla_met) == (2, 3.5, 2, 0)
    # The trend's buckets chart the figures only.
    records = reports.read_records(session, since, until, SETTINGS)
    assert all(bucket.agents == [] for bucket in reports.trend(records, [(since, until)], SETTINGS))


def test_the_command_line_prints_the_agents_as_a_list(app, session):
    seed_agent_history(session)
    args = ["report", "--since", "2026-03-01", "--until", "2026-03-10"]
    data = json.loads(app.test_cli_runner().invoke(args=[*args, "--json"]).output)
    assert [(row["name"], row["handled"], row["sla_met_rate"]) for row in data["agents"]] == [
        ("Alex Agent", 2, 1.0),
        ("bo@example.com", 2, 0.0),
    ]
    text = app.test_cli_runner().invoke(args=args).output
    assert "Agents (median first reply: wall clock / business hours)" in text
    assert "30m 00s/30m 00s" in text and "Alex Agent" in text
    assert "0.0% (0 of 2 targets)" in text


def test_the_agents_are_the_same_on_postgresql(app, session, tmp_path, postgres_url):
    seed_agent_history(session)
    args = ["report", "--since", "2026-03-01", "--until", "2026-03-10", "--json"]
    on_sqlite = json.loads(app.test_cli_runner().invoke(args=args).output)["agents"]
    postgres_app = make_app(tmp_path / "postgres", DATABASE_URL=postgres_url)
    with postgres_app.app_context():
        seed_agent_history(get_session())
    on_postgres = json.loads(postgres_app.test_cli_runner().invoke(args=args).output)["agents"]
    assert [{**row, "agent_id": None} for row in on_postgres] == [
        {**row, "agent_id": None} for row in on_sqlite
    ]
    assert [row["handled"] for row in on_postgres] == [2, 2]
