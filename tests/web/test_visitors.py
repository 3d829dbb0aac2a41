"""Signed visitor ids expire when unused, and are issued again while in use (kbbot/web/visitors.py)."""

import time

import pytest
from itsdangerous import Signer

from kbbot.web import visitors
from tests.helpers import ask, build_support_app

DAY = 24 * 3600


def token_for(app, visitor_id, days_ago):
    with app.test_request_context():
        return visitors.sign(visitor_id, issued_at=time.time() - days_ago * DAY)


def conversation_of(app, client):
    """A conversation of a new visitor: (its id, the visitor's id)."""
    reply = ask(client, "how do I export my invoices to Excel")
    with app.test_request_context():
        visitor_id = visitors.unsign(client.get_cookie(visitors.COOKIE).value)
    return reply["conversation_id"], visitor_id


def test_an_id_unused_for_longer_than_its_lifetime_is_replaced_by_a_new_one(support_app, client):
    conversation_id, visitor_id = conversation_of(support_app, client)
    stale = {visitors.HEADER: token_for(support_app, visitor_id, days_ago=91)}
    response = support_app.test_client().get(f"/api/v1/conversations/{conversation_id}", headers=stale)
    assert response.status_code == 404  # no longer this visitor's
    reading = support_app.test_client().get("/api/v1/articles/refunds", headers=stale)
    with support_app.test_request_context():
        assert visitors.unsign(reading.headers[visitors.HEADER]) not in (None, visitor_id)


def test_an_id_in_use_is_issued_again_with_a_fresh_time_and_keeps_its_conversation(support_app, client):
    conversation_id, visitor_id = conversation_of(support_app, client)
    month_old = {visitors.HEADER: token_for(support_app, visitor_id, days_ago=30)}
    response = support_app.test_client().get(f"/api/v1/conversations/{conversation_id}", headers=month_old)
    assert response.status_code == 200
    fresh = response.headers[visitors.HEADER]
    assert fresh != month_old[visitors.HEADER]
    with support_app.test_request_context():
        assert visitors.read(fresh)[0] == visitor_id and visitors.read(fresh)[1] < 60
    assert f"Max-Age={90 * DAY}" in response.headers["Set-Cookie"]
    # A token issued within the day is not issued again on every response.
    assert visitors.HEADER not in client.get(f"/api/v1/conversations/{conversation_id}").headers


def test_the_lifetime_is_configurable(tmp_path):
    app = build_support_app(tmp_path, VISITOR_ID_DAYS=7)
    with app.test_request_context():
        assert visitors.read(token_for(app, "someone", days_ago=6))[0] == "someone"
        assert visitors.read(token_for(app, "someone", days_ago=8)) is None


@pytest.mark.parametrize("active", [True, False])
def test_a_token_of_an_earlier_release_holds_while_its_visitor_is_active(support_app, client, active):
    conversation_id, visitor_id = conversation_of(support_app, client)
    owner = visitor_id if active else "a-visitor-never-seen"
    old_form = Signer("test-secret", salt="kbbot.visitor").sign(owner).decode()
    response = support_app.test_client().get(
        f"/api/v1/conversations/{conversation_id}", headers={visitors.HEADER: old_form}
    )
    assert response.status_code == (200 if active else 404)
    reading = support_app.test_client().get("/api/v1/articles/refunds", headers={visitors.HEADER: old_form})
    with support_app.test_request_context():
        reissued = visitors.read(reading.headers[visitors.HEADER])
    assert reissued[1] is not None  # the new form, with a time
    assert (reissued[0] == visitor_id) is active


def test_a_tampered_token_is_a_new_visitor(support_app):
    with support_app.test_request_context():
        token = visitors.sign("someone")
        assert visitors.read(token[:-2] + "xx") is None and visitors.read("x" * 300) is None
