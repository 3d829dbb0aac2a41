"""The analytics dashboard in a real browser: an admin signs in, changes the range, reads the charts."""

import re
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.models import Article, SurveyResponse
from kbbot.reports import dashboard
from kbbot.web.session import get_session
from tests.browser.helpers import axe_violations, screenshot
from tests.helpers import PASSWORD, add_conversation

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_email(live_site):
    """An admin on the live site, and a week of conversations to chart (no handoffs: the agent's queue
    that other journeys watch stays as it is)."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    with live_site.app.app_context():
        session = get_session()
        users.create_user(session, email, ["admin"], password=PASSWORD)
        article = session.scalars(select(Article).order_by(Article.id)).first()
        today = datetime.combine(datetime.now(UTC).date(), time(9), UTC)
        for day in range(7):
            for n in range(day % 3 + 1):
                conversation = add_conversation(
                    session,
                    f"dashboard-{day}-{n}",
                    today - timedelta(days=day, minutes=n),
                    [("how do I reset my password", "answer", article, n % 2 == 0)],
                )
                session.add(SurveyResponse(conversation_id=conversation.id, kind="csat", score=3 + n % 3))
            add_conversation(
                session,
                f"dashboard-gap-{day}",
                today - timedelta(days=day),
                [("do you take paypal", "suggest", article, None)],
            )
        session.commit()
    return email


def test_an_admin_reads_the_dashboard_and_changes_the_range(page, live_site, admin_email):
    page.goto(f"{live_site.url}/staff/login")
    page.fill("input[name=email]", admin_email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator(".period")).to_contain_text("30 days")

    page.get_by_role("link", name="Last 7 days").click()
    expect(page.locator(".period")).to_contain_text("7 days")
    conversations = page.locator('svg[data-chart="chart-conversations"]')
    expect(conversations).to_be_visible()
    expect(conversations.locator("circle.point")).to_have_count(7)  # one point per day
    expect(page.locator("svg.chart")).to_have_count(len(dashboard.TILES) + 3)  # and CSAT, CES, CES over time
    assert (
        conversations.get_attribute("aria-labelledby") == "chart-conversations-title chart-conversations-desc"
    )
    box = conversations.bounding_box()
    assert box["width"] > 300 and box["height"] > 100  # drawn, not collapsed by the stylesheet
    expect(page.locator('.tile[data-figure="conversations"] .tile-value')).to_have_text(
        re.compile(r"[1-9]\d+")
    )
    expect(page.get_by_role("link", name="Create article for “do you take paypal”")).to_be_visible()
    # What needs attention is above the trends, and the content tables fit the 1280-pixel page.
    attention, trends = page.locator("#attention-heading"), page.locator("#trends-heading")
    assert attention.bounding_box()["y"] < trends.bounding_box()["y"]
    for part in (".attention", '.table-wrap:has(table[data-table="articles"])', "main"):
        assert page.locator(part).evaluate("e => e.scrollWidth <= e.clientWidth"), part

    # A custom range, week by week.
    today = datetime.now(UTC).date()
    page.fill("input[name=from]", (today - timedelta(days=27)).isoformat())
    page.fill("input[name=to]", today.isoformat())
    page.select_option("select[name=granularity]", "week")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".period")).to_contain_text("28 days")
    expect(page.locator(".period")).to_contain_text("weekly")
    weeks = 5 if today.weekday() != 6 else 4  # 28 days cut at Mondays
    expect(conversations.locator("circle.point")).to_have_count(weeks)
    screenshot(page, "dashboard-admin")
    assert axe_violations(page) == []

    # A range that ends before it starts is explained, not an error page.
    page.fill("input[name=from]", today.isoformat())
    page.fill("input[name=to]", (today - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("is before the first day")
    assert axe_violations(page) == []
