"""How soon each side sees the other, on a fake clock: the customer's widget asks for the agent's replies,
and the agent's open queue asks for new handoffs, every 2 s while visible (the p95 of 3 s that
bench/handoff_latency.py measures needs that interval). Timers run on Playwright's clock, so the test
steps time instead of waiting for it."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.models import Handoff
from kbbot.web.session import get_session
from tests.browser.helpers import SLOW, open_widget, sign_in_staff

pytestmark = pytest.mark.browser

PASSWORD = "polling journey secret"


def poll_in_phase(page, polls):
    """Pause `page`'s clock and step it until one request `polls` (a predicate) went out and came back:
    the next such poll is then due one interval from the clock's time."""
    page.clock.pause_at(datetime.now() + timedelta(seconds=1))
    with page.expect_request(polls, timeout=SLOW) as request:
        page.clock.run_for(5000)
    request.value.response()
    page.wait_for_timeout(500)  # the answer is applied and the next poll scheduled


def ask_for_a_person(page, email):
    """Open the widget, hand off as `email`; return the chat frame."""
    frame, _ = open_widget(page)
    frame.locator("#kb-talk-to-person").click()
    frame.locator("#kb-handoff-email").fill(email)
    frame.locator("#kb-handoff-submit").click()
    expect(frame.locator("[data-testid=handoff-confirmation]")).to_be_visible(timeout=SLOW)
    return frame


def test_the_widget_shows_an_agents_reply_at_its_next_poll_2_s_later(live_site, page):
    page.clock.install()
    page.goto(f"{live_site.url}/")
    frame = ask_for_a_person(page, "pia@example.com")
    with live_site.app.app_context():
        handoff_id = get_session().scalar(select(Handoff.id))
    poll_in_phase(page, lambda request: "?after=" in request.url)
    sent = page.request.post(
        f"{live_site.url}/api/v1/staff/handoffs/{handoff_id}/replies",
        data={"text": "Hi Pia, the refund is on its way."},
        headers={"Authorization": f"Bearer {live_site.staff_token}"},
    )
    assert sent.status == 201, sent.text()
    reply = frame.locator("[data-testid=message-agent]")
    page.clock.run_for(1900)
    page.wait_for_timeout(500)
    expect(reply).to_have_count(0)
    page.clock.run_for(100)
    expect(reply).to_contain_text("the refund is on its way")


def test_the_open_queue_shows_a_new_handoff_at_its_next_poll_2_s_later(live_site, page, browser):
    with live_site.app.app_context():
        users.create_user(get_session(), "sam@ledgerly.example", ["agent"], password=PASSWORD, name="Sam")
    sign_in_staff(page, live_site.url, "sam@ledgerly.example", PASSWORD)
    page.clock.install()
    page.goto(f"{live_site.url}/staff/handoffs/?tab=all")
    poll_in_phase(page, lambda request: "/api/v1/staff/handoffs" in request.url)
    customer = browser.new_context()
    try:
        chat = customer.request.post(f"{live_site.url}/api/v1/chat", data={"message": "talk to a human"})
        conversation_id = chat.json()["conversation_id"]
        handoff = customer.request.post(
            f"{live_site.url}/api/v1/conversations/{conversation_id}/handoff",
            data={"email": "pia@example.com"},
        )
        assert handoff.status == 201, handoff.text()
        handoff_id = handoff.json()["id"]
    finally:
        customer.close()
    row = page.locator(f'tr[data-handoff-id="{handoff_id}"]')
    page.clock.run_for(1900)
    page.wait_for_timeout(500)
    expect(row).to_have_count(0)
    page.clock.run_for(100)
    expect(row).to_be_visible()
