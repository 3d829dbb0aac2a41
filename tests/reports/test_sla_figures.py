"""SLA figures of a period: targets met, and the median first reply in business hours."""

from datetime import timedelta

from kbbot import reports
from kbbot.reports.records import HandoffRecord, ReplyTargetRecord
from kbbot.reports.sla import sla_figures
from kbbot.support import business_hours
from tests.helpers import at


def test_met_shares_count_the_targets_that_ended_in_the_period():
    targets = [
        ReplyTargetRecord("first_reply", at(2, 10), True),
        ReplyTargetRecord("first_reply", at(3, 10), True),
        ReplyTargetRecord("first_reply", at(3, 11), False),
        ReplyTargetRecord("next_reply", at(3, 12), False),
        ReplyTargetRecord("first_reply", at(9, 12), False),  # after the period
    ]
    figures = sla_figures(targets, [], at(2, 0), at(9, 0))
    assert (figures.first_reply_targets, figures.first_reply_met) == (3, 2)
    assert figures.first_reply_met_rate == 2 / 3
    assert (figures.next_reply_targets, figures.next_reply_met_rate) == (1, 0.0)
    assert sla_figures([], [], at(2, 0), at(9, 0)).first_reply_met_rate is None


def test_the_median_first_reply_counts_business_hours_only():
    def handoff(created, replied):
        return HandoffRecord(
            reason="low_confidence", status="assigned", created_at=created, first_reply_at=replied
        )

    # 2026-03-06 is a Friday: handed off at 16:30, answered Monday at 9:30 is one business hour.
    handoffs = [
        handoff(at(6, 16, 30), at(9, 9, 30)),
        handoff(at(2, 10), at(2, 10, 20)),
        handoff(at(3, 10), at(3, 12)),
        handoff(at(4, 10), None),
    ]
    weekdays = business_hours.parse("mon-fri 09:00-17:00")
    figures = sla_figures([], handoffs, at(1, 0), at(10, 0), weekdays)
    assert figures.median_first_reply_business_seconds == 3600
    around_the_clock = sla_figures([], handoffs, at(1, 0), at(10, 0))
    assert around_the_clock.median_first_reply_business_seconds == 2 * 3600


def test_the_report_and_its_text_carry_the_sla_figures():
    report = reports.summarize(
        at(2, 0),
        at(9, 0),
        [],
        [],
        [],
        reports.ReportSettings(timedelta(hours=24), timedelta(days=7), 0.6),
        encode=None,
        targets=[
            ReplyTargetRecord("first_reply", at(3, 10), True),
            ReplyTargetRecord("next_reply", at(3, 11), False),
        ],
    )
    assert report.as_dict()["sla"]["first_reply_met_rate"] == 1.0
    text = report.as_text()
    assert "first replies within SLA" in text and "100.0% (1 of 1 targets)" in text
    assert "0.0% (0 of 1 targets)" in text
