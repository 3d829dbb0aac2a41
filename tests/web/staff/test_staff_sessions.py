"""How long a staff session lasts: it ends after KBBOT_STAFF_SESSION_HOURS without a request, and
KBBOT_STAFF_SESSION_MAX_HOURS after sign-in however busy."""

from datetime import timedelta

import pytest

from kbbot.accounts import users
from kbbot.web.session import get_session
from kbbot.web.staff import views
from tests.helpers import PASSWORD, make_app, sign_in

IDLE, LIFETIME = timedelta(hours=2), timedelta(hours=8)


@pytest.fixture
def client(tmp_path):
    app = make_app(tmp_path, PERMANENT_SESSION_LIFETIME=IDLE, STAFF_SESSION_MAX_AGE=LIFETIME)
    with app.app_context():
        users.create_user(get_session(), "agent@example.com", ["agent"], password=PASSWORD)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def shift(client, key, by):
    """Move the session's `key` (a Unix time) `by` into the past, as if that much time had gone by."""
    with client.session_transaction() as session:
        session[key] -= int(by.total_seconds())


def test_a_session_in_use_lasts_and_each_request_counts_as_use(client):
    shift(client, views.LAST_SEEN_KEY, IDLE - timedelta(minutes=1))
    shift(client, views.SIGNED_IN_AT_KEY, IDLE - timedelta(minutes=1))
    assert client.get("/staff/").status_code == 200
    shift(client, views.LAST_SEEN_KEY, IDLE - timedelta(minutes=1))  # again: the last request renewed it
    assert client.get("/staff/").status_code == 200


def test_a_session_ends_when_left_idle(client):
    shift(client, views.LAST_SEEN_KEY, IDLE)
    assert client.get("/staff/").status_code == 302
    assert client.get("/api/v1/staff/handoffs").status_code == 401


def test_a_busy_session_ends_at_its_lifetime_after_sign_in(client):
    shift(client, views.SIGNED_IN_AT_KEY, LIFETIME - timedelta(minutes=1))
    assert client.get("/staff/").status_code == 200
    shift(client, views.SIGNED_IN_AT_KEY, timedelta(minutes=1))
    assert client.get("/staff/").status_code == 302
    assert sign_in(client).status_code == 302 and client.get("/staff/").status_code == 200


def test_a_session_without_its_start_time_is_no_session(client):
    with client.session_transaction() as session:
        del session[views.SIGNED_IN_AT_KEY]
    assert client.get("/staff/").status_code == 302
