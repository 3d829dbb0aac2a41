"""SLA targets: reading them, when a reply falls due, and what ends a wait, met or breached."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from kbbot.models import Handoff, ReplyTarget
from kbbot.support import business_hours, sla
from kbbot.web.session import get_session
from tests.helpers import ask, make_overdue, request_handoff, staff_headers
from tests.support.test_business_hours import utc


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        (" 1H30m ", timedelta(hours=1, minutes=30)),
        ("1d", timedelta(days=1)),
        ("", None),
        ("off", None),
    ],
)
def test_targets_read_as_durations(text, target):
    assert sla.parse_target(text) == target


@pytest.mark.parametrize("text", ["1 hour", "h", "90", "-1h", "0m", "1.5h"])
def test_a_target_that_does_not_read_says_what_to_write(text):
    with pytest.raises(ValueError, match="30m, 4h"):
        sla.parse_target(text)


def test_a_first_reply_is_due_in_business_hours_and_a_running_wait_keeps_its_start():
    policy = sla.policy(business_hours.parse("mon-fri 09:00-17:00", "Europe/Paris"), "1h", "4h")
    handoff = Handoff()
    friday_evening = utc(2026, 11, 27, 17, 0)  # 18:00 in Paris: closed until Monday 09:00
    sla.customer_waits(handoff, policy, friday_evening)
    assert (handoff.awaited, handoff.reply_due_at) == ("first_reply", utc(2026, 11, 30, 9, 0))
    sla.customer_waits(handoff, policy, utc(2026, 11, 28, 10, 0))  # writes again on Saturday
    assert handoff.waiting_since == friday_evening

    handoff = Handoff(first_reply_at=friday_evening)  # answered once: the next reply has its own target
    sla.customer_waits(handoff, policy, utc(2026, 11, 30, 15, 0))  # Monday 16:00 in Paris
    assert (handoff.awaited, handoff.reply_due_at) == ("next_reply", utc(2026, 12, 1, 11, 0))


def test_without_targets_the_customer_waits_but_nothing_is_due():
    assert sla.policy(business_hours.parse("24/7")) is None
    handoff = Handoff()
    sla.customer_waits(handoff, None, utc(2026, 11, 27, 17, 0))
    assert handoff.waiting_since is not None and handoff.reply_due_at is None
    only_first = sla.policy(business_hours.parse("24/7"), first_reply="1h")
    assert sla.due_at(only_first, "next_reply", utc(2026, 11, 27)) is None


def test_due_state_is_how_long_until_or_since_the_due_time():
    due = utc(2026, 11, 27, 12, 0)
    assert sla.due_state(due, utc(2026, 11, 27, 11, 20)) == (False, 40 * 60)
    assert sla.due_state(due, utc(2026, 11, 27, 12, 25)) == (True, 25 * 60)
    assert sla.due_state(None, utc(2026, 11, 27)) == (None, None)


def targets(app):
    with app.app_context():
        found = get_session().scalars(select(ReplyTarget).order_by(ReplyTarget.id))
        return [(target.awaited, target.met, target.agent_id is not None) for target in found]


def test_replies_meet_or_breach_their_targets_and_a_wait_on_the_customer_has_none(sla_app, agent_token):
    customer, headers = sla_app.test_client(), staff_headers(agent_token)
    conversation = ask(customer, "I was charged twice")["conversation_id"]
    handoff_id = request_handoff(customer, conversation).get_json()["id"]
    queued = customer.get("/api/v1/staff/handoffs", headers=headers).get_json()["handoffs"][0]
    assert queued["awaited"] == "first_reply" and queued["breached"] is False
    assert 59 * 60 < queued["due_seconds"] <= 3600  # KBBOT_SLA_FIRST_REPLY=1h, around the clock

    reply = {"text": "Looking into it."}
    customer_waits = f"/api/v1/staff/handoffs/{handoff_id}"
    assert customer.post(f"{customer_waits}/replies", json=reply, headers=headers).status_code == 201
    context = customer.get(customer_waits, headers=headers).get_json()["handoff"]
    assert (context["awaited"], context["reply_due_at"], context["breached"]) == (None, None, None)

    ask(customer, "Any news?", conversation_id=conversation)
    context = customer.get(customer_waits, headers=headers).get_json()["handoff"]
    assert context["awaited"] == "next_reply" and 4 * 3600 - 60 < context["due_seconds"] <= 4 * 3600
    make_overdue(sla_app, handoff_id, minutes=25)
    assert customer.get(customer_waits, headers=headers).get_json()["handoff"]["breached"] is True
    assert customer.post(f"{customer_waits}/replies", json=reply, headers=headers).status_code == 201
    assert targets(sla_app) == [("first_reply", True, True), ("next_reply", False, True)]


def test_resolving_ends_the_wait_and_counts_as_a_breach_only_once_overdue(sla_app, agent_token):
    customer, headers = sla_app.test_client(), staff_headers(agent_token)
    ids = []
    for question in ("I was charged twice", "My invoice is wrong"):
        conversation = ask(customer, question)["conversation_id"]
        ids.append(request_handoff(customer, conversation).get_json()["id"])
    make_overdue(sla_app, ids[1], minutes=5)
    for handoff_id in ids:
        resolved = customer.post(
            f"/api/v1/staff/handoffs/{handoff_id}/resolve", json={"reason": "other"}, headers=headers
        )
        assert resolved.status_code == 200
    assert targets(sla_app) == [("first_reply", False, False)]
    with sla_app.app_context():
        assert all(get_session().get(Handoff, i).reply_due_at is None for i in ids)
