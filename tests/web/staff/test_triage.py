"""Triage in the console and the staff API: the queue sorted by due time, overdue replies marked,
filters by tag and priority, and agents setting them."""

import re
from html import unescape

import pytest

from kbbot.accounts import users
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, ask, csrf_token, make_overdue, request_handoff, sign_in, staff_headers


@pytest.fixture
def agent(sla_app):
    with sla_app.app_context():
        users.create_user(get_session(), "alex@example.com", ["agent"], password=PASSWORD, name="Alex")
    browser = sla_app.test_client()
    assert sign_in(browser, email="alex@example.com").status_code == 302
    return browser


@pytest.fixture
def three_handoffs(sla_app):
    """Three handoffs, oldest first; the second's first reply is 25 minutes overdue."""
    customer = sla_app.test_client()
    ids = []
    for question in ("I was charged twice", "My invoice shows the wrong address", "How do I export data"):
        conversation = ask(customer, question)["conversation_id"]
        ids.append(request_handoff(customer, conversation).get_json()["id"])
    make_overdue(sla_app, ids[1], minutes=25)
    return ids


def rows(page):
    """(handoff id, text) of each queue row, in order."""
    html = page.get_data(as_text=True)
    found = re.findall(r'<tr data-handoff-id="(\d+)"[^>]*>(.*?)</tr>', html, re.S)
    return [(int(i), " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())) for i, row in found]


def triage(browser, handoff_id, **form):
    token = csrf_token(browser, f"/staff/handoffs/{handoff_id}")
    return browser.post(f"/staff/handoffs/{handoff_id}/triage", data={"csrf_token": token, **form})


def test_the_queue_puts_the_most_overdue_first_and_marks_it(agent, three_handoffs):
    first, overdue, last = three_handoffs
    queue = rows(agent.get("/staff/handoffs/"))
    assert [handoff_id for handoff_id, _ in queue] == [overdue, first, last]
    # Due an hour after the handoff: "1 h" within its first second, "59 min" after (a slow machine).
    assert "Overdue 25 min" in queue[0][1] and re.search(r"Due in (59 min|1 h)\b", queue[1][1])
    assert 'class="is-overdue"' in agent.get("/staff/handoffs/").get_data(as_text=True)
    assert "Normal" in queue[0][1] and "The bot found no answer" in queue[0][1]  # priority and reason


def test_agents_set_priority_and_tags_and_the_queue_filters_by_them(agent, three_handoffs):
    first, overdue, last = three_handoffs
    assert triage(agent, first, priority="urgent").status_code == 302
    assert triage(agent, first, add_tag="Refund Request").status_code == 302
    assert triage(agent, last, add_tag="refund-request").status_code == 302
    assert triage(agent, last, add_tag="bug").status_code == 302
    page = agent.get(f"/staff/handoffs/{last}").get_data(as_text=True)
    assert 'value="refund-request"' in page and 'data-testid="handoff-tags"' in page
    assert triage(agent, last, remove_tag="bug").status_code == 302

    tagged = agent.get("/staff/handoffs/?tag=Refund+Request")
    assert [handoff_id for handoff_id, _ in rows(tagged)] == [first, last]
    assert "refund-request" in rows(tagged)[0][1] and "bug" not in rows(tagged)[1][1]
    assert 'data-count="open">2<' in tagged.get_data(as_text=True)  # the counts follow the filter
    urgent = agent.get("/staff/handoffs/?priority=urgent&tag=refund-request")
    assert [handoff_id for handoff_id, _ in rows(urgent)] == [first]
    assert "Urgent" in rows(urgent)[0][1]
    # A filter that is not one shows every handoff rather than an error.
    assert len(rows(agent.get("/staff/handoffs/?priority=asap&tag=%2F%2F"))) == 3


def test_a_tag_that_cannot_be_one_is_refused_with_a_message(agent, three_handoffs):
    refused = triage(agent, three_handoffs[0], add_tag="a/b")
    assert refused.status_code == 302
    assert "use letters a-z" in agent.get(refused.location).get_data(as_text=True)
    assert triage(agent, three_handoffs[0], priority="asap").status_code == 302
    no_token = agent.post(f"/staff/handoffs/{three_handoffs[0]}/triage", data={"priority": "high"})
    assert no_token.status_code == 400  # CSRF


def test_the_staff_api_filters_sorts_and_patches_triage(sla_app, agent_token, three_handoffs):
    first, overdue, last = three_handoffs
    client, headers = sla_app.test_client(), staff_headers(agent_token)
    patched = client.patch(
        f"/api/v1/staff/handoffs/{last}",
        json={"priority": "high", "tags": ["Billing", "vip "]},
        headers=headers,
    )
    assert patched.status_code == 200
    body = patched.get_json()
    assert (body["priority"], body["tags"], body["awaited"]) == ("high", ["billing", "vip"], "first_reply")
    listed = client.get("/api/v1/staff/handoffs?status=open", headers=headers).get_json()
    assert [h["id"] for h in listed["handoffs"]] == [overdue, first, last]
    assert listed["handoffs"][0]["breached"] is True and listed["handoffs"][1]["breached"] is False
    vip = client.get("/api/v1/staff/handoffs?tag=VIP&priority=high", headers=headers).get_json()
    assert [h["id"] for h in vip["handoffs"]] == [last] and vip["counts"]["open"] == 1
    client.patch(f"/api/v1/staff/handoffs/{last}", json={"tags": []}, headers=headers)
    assert client.get("/api/v1/staff/handoffs?tag=vip", headers=headers).get_json()["handoffs"] == []
    for bad in ({"priority": "asap"}, {"tags": ["a/b"]}, {"tags": "billing"}):
        assert client.patch(f"/api/v1/staff/handoffs/{last}", json=bad, headers=headers).status_code == 422
    assert client.get("/api/v1/staff/handoffs?priority=asap", headers=headers).status_code == 422
    assert client.patch("/api/v1/staff/handoffs/999", json={}, headers=headers).status_code == 404
