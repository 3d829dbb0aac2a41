"""The handoff page as the agent's workspace: its three regions, where it opens, and who has read what."""

import re

import pytest
from sqlalchemy import func, select

from kbbot.models import Conversation, Message
from kbbot.web.session import get_session
from tests.helpers import ask, csrf_token, hand_off, request_handoff, signed_in, staff_headers, text_of


@pytest.fixture
def alex(support_app):
    return signed_in(support_app, "alex@example.com", "agent", "Alex")


@pytest.fixture
def sam(support_app):
    return signed_in(support_app, "sam@example.com", "agent", "Sam")


def page_of(agent, handoff_id, **params):
    page = agent.get(f"/staff/handoffs/{handoff_id}", query_string=params)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def entry_ids(html):
    """The conversation's message ids in the page's order, with "divider" where the New messages divider is."""
    found = re.findall(r'data-testid="first-unread"|data-entry="message-(\d+)"', html)
    return [int(found_id) if found_id else "divider" for found_id in found]


def test_the_page_holds_the_queue_the_conversation_and_the_customer_as_labelled_regions(alex, client):
    handoff_id, _ = hand_off(client)
    other_id, _ = hand_off(client, "how do I export invoices?", email="eve@example.com")
    html = page_of(alex, handoff_id)

    assert '<section class="kb-card workspace-queue" id="queue" aria-labelledby="queue-title"' in html
    assert '<h2 id="queue-title">Handoffs</h2>' in html
    assert '<section class="workspace-conversation" aria-labelledby="handoff-title">' in html
    assert 'id="transcript" role="region" aria-labelledby="conversation-title"' in html
    assert '<aside class="context workspace-context" aria-label="Customer context">' in html
    # The queue's rows, the one shown marked; the composer's two forms below the transcript.
    assert re.search(rf'href="/staff/handoffs/{handoff_id}" aria-current="page"', html)
    assert f'href="/staff/handoffs/{other_id}"' in html and "eve@example.com" in html
    assert html.index('id="transcript"') < html.index('id="reply"') < html.index('id="note"')


def test_the_queue_pane_keeps_its_tab_and_filters_from_one_handoff_to_the_next(alex, client):
    handoff_id, _ = hand_off(client)
    html = page_of(alex, handoff_id, tab="all", priority="normal")
    assert f'href="/staff/handoffs/{handoff_id}?tab=all&amp;priority=normal"' in html
    assert f'action="/staff/handoffs/{handoff_id}"' in html  # the filters stay in the workspace
    assert 'href="/staff/handoffs/?tab=all&amp;priority=normal">Back to the handoffs' in html
    assert alex.get(f"/staff/handoffs/{handoff_id}?tab=nonsense").status_code == 404


def test_new_messages_come_after_a_divider_for_an_agent_who_read_the_earlier_ones(alex, client):
    handoff_id, conversation_id = hand_off(client)
    first_visit = page_of(alex, handoff_id)
    assert "divider" not in entry_ids(first_visit)  # never opened: it opens at the start, no divider
    read = entry_ids(first_visit)

    ask(client, "It was the same card both times.", conversation_id=conversation_id)
    second_visit = page_of(alex, handoff_id)
    ids = entry_ids(second_visit)
    assert ids[: len(read) + 1] == [*read, "divider"] and len(ids) > len(read) + 1
    assert 'href="#first-unread">New messages below' in second_visit
    assert "divider" not in entry_ids(page_of(alex, handoff_id))  # read now


def test_each_agent_has_their_own_read_marks_and_their_own_replies_are_read(alex, sam, client):
    handoff_id, conversation_id = hand_off(client)
    page_of(alex, handoff_id)
    queue = alex.get("/staff/handoffs/").get_data(as_text=True)
    assert 'data-testid="queue-unread"' not in queue

    ask(client, "Any news?", conversation_id=conversation_id)
    for agent in (alex, sam):
        assert 'data-testid="queue-unread"' in agent.get("/staff/handoffs/").get_data(as_text=True)
    # Alex read it before: the row opens at the first new message; Sam never opened it: at the start.
    assert f'href="/staff/handoffs/{handoff_id}#first-unread"' in alex.get("/staff/handoffs/").get_data(
        as_text=True
    )
    assert f'href="/staff/handoffs/{handoff_id}"' in sam.get("/staff/handoffs/").get_data(as_text=True)

    page_of(alex, handoff_id)
    token = csrf_token(alex, f"/staff/handoffs/{handoff_id}")
    alex.post(f"/staff/handoffs/{handoff_id}/reply", data={"csrf_token": token, "reply-text": "On it."})
    assert 'data-testid="queue-unread"' not in alex.get("/staff/handoffs/?tab=all").get_data(as_text=True)
    page_of(sam, handoff_id)
    ask(client, "Thanks!", conversation_id=conversation_id)
    assert entry_ids(page_of(sam, handoff_id))[-2] == "divider"  # before "Thanks!", after Alex's reply


def test_the_staff_api_says_which_handoffs_are_unread_for_the_caller(support_app, agent_token, alex, client):
    handoff_id, _ = hand_off(client)
    listed = client.get("/api/v1/staff/handoffs", headers=staff_headers(agent_token)).get_json()
    assert [(row["id"], row["unread"], row["opened"]) for row in listed["handoffs"]] == [
        (handoff_id, True, False)
    ]


def row_of(agent, handoff_id):
    """The queue row of the handoff, in the All tab."""
    html = agent.get("/staff/handoffs/?tab=all").get_data(as_text=True)
    return html.split(f'data-handoff-id="{handoff_id}"')[1].split("</tr>")[0]


def test_the_page_script_marks_read_up_to_a_message_and_never_back(support_app, alex, client):
    handoff_id, conversation_id = hand_off(client)
    other_id, _ = hand_off(client, "and another thing", email="eve@example.com")
    token = csrf_token(alex, f"/staff/handoffs/{handoff_id}")  # opening it marks everything read
    ask(client, "Hello again", conversation_id=conversation_id)
    with support_app.app_context():
        session = get_session()
        first, newest = session.execute(
            select(func.min(Message.id), func.max(Message.id))
            .join(Conversation)
            .where(Conversation.public_id == conversation_id)
        ).one()
    url = f"/staff/handoffs/{handoff_id}/read"
    assert alex.post(url, data={"message_id": newest}).status_code == 400  # no CSRF token
    for bad in ("", "x", "0", "-1", str(2**31)):
        assert alex.post(url, data={"message_id": bad, "csrf_token": token}).status_code == 422
    not_its_own = alex.post(
        f"/staff/handoffs/{other_id}/read", data={"message_id": newest, "csrf_token": token}
    )
    assert not_its_own.status_code == 404
    assert 'data-testid="queue-unread"' in row_of(alex, handoff_id)

    assert alex.post(url, data={"message_id": newest, "csrf_token": token}).status_code == 204
    assert 'data-testid="queue-unread"' not in row_of(alex, handoff_id)
    assert alex.post(url, data={"message_id": first, "csrf_token": token}).status_code == 204
    assert 'data-testid="queue-unread"' not in row_of(alex, handoff_id)  # the mark did not go back


def test_the_customer_column_lists_their_earlier_conversations(alex, client, support_app):
    earlier_id, _ = hand_off(client, "how do I export invoices?")
    bot_only = ask(client, "how long do refunds take?")
    assert bot_only["conversation_id"]
    later = support_app.test_client()  # another browser, the same email address
    conversation_id = ask(later, "I was charged twice")["conversation_id"]
    handoff_id = request_handoff(later, conversation_id).get_json()["id"]

    text = text_of(alex.get(f"/staff/handoffs/{handoff_id}"))
    assert "Earlier conversations how do I export invoices?" in text
    assert f'href="/staff/handoffs/{earlier_id}">how do I export invoices?' in page_of(alex, handoff_id)
    assert "how long do refunds take?" not in text  # another visitor's bot-only chat
    earlier_page = text_of(alex.get(f"/staff/handoffs/{earlier_id}"))
    assert "None from this visitor or dana@example.com" in earlier_page
