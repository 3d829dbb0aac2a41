"""Triage in a real browser: an overdue first reply is marked at the top of the queue, and an agent
sets a priority and a tag on a handoff, then filters the queue by them. Screenshots land in
test-artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, screenshot
from tests.helpers import ask, make_overdue, request_handoff

pytestmark = pytest.mark.browser


def test_an_sla_breach_is_marked_and_an_agent_sets_priority_and_a_tag(sla_site, page):
    customer = sla_site.app.test_client()
    ids = []
    for question in ("I was charged twice", "My invoice shows the wrong address"):
        conversation = ask(customer, question)["conversation_id"]
        ids.append(request_handoff(customer, conversation).get_json()["id"])
    make_overdue(sla_site.app, ids[1], minutes=25)

    page.goto(f"{sla_site.url}/staff/login")
    page.locator("#email").fill("sam@example.com")
    page.locator("#password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    with page.expect_response(re.compile(r"/api/v1/staff/handoffs\?status=open$")):
        page.goto(f"{sla_site.url}/staff/handoffs/")  # the page script polls the staff API at once
    page.wait_for_timeout(500)  # and its first answer rebuilds the rows (static/console/queue.js)
    rows = page.locator("#queue-rows tr")
    expect(rows).to_have_count(2)
    overdue = rows.nth(0)
    expect(overdue).to_have_attribute("data-handoff-id", str(ids[1]))
    expect(overdue.get_by_test_id("queue-due")).to_have_text(re.compile(r"^Overdue 2\d min$"))
    expect(overdue.get_by_test_id("queue-due")).to_have_class(re.compile("due-breached"))
    expect(rows.nth(1).get_by_test_id("queue-due")).to_have_text(re.compile(r"^Due in 59 min"))
    assert axe_violations(page) == []
    screenshot(page, "triage-queue-overdue")

    rows.nth(1).locator("a.queue-customer").click()
    expect(page).to_have_url(re.compile(rf"/staff/handoffs/{ids[0]}$"))
    expect(page.get_by_test_id("handoff-due")).to_have_text(re.compile(r"^Due in"))
    page.locator("#triage-priority").select_option("urgent")
    page.get_by_role("button", name="Set priority").click()
    expect(page.locator("#triage-priority")).to_have_value("urgent")
    page.locator("#triage-tag").fill("Refund Request")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_test_id("handoff-tags")).to_contain_text("refund-request")
    screenshot(page, "triage-handoff-tagged")

    page.goto(f"{sla_site.url}/staff/handoffs/")
    page.locator("#filter-tag").fill("refund-request")
    with page.expect_response(re.compile(r"/api/v1/staff/handoffs\?status=open&tag=refund-request$")):
        page.get_by_role("button", name="Filter").click()
    page.wait_for_timeout(500)
    expect(rows).to_have_count(1)
    expect(rows.nth(0).get_by_test_id("queue-tags")).to_have_text("refund-request")
    expect(rows.nth(0).get_by_test_id("queue-priority")).to_have_text("Urgent")
    expect(page.locator('[data-count="open"]')).to_have_text("1")
    screenshot(page, "triage-queue-filtered")
