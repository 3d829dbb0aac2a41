"""The database or Redis going away under traffic: requests fail cleanly (503 with Retry-After, never a
stack trace), the app recovers without a restart, and nothing committed is lost.

The servers are reached through a TCP proxy the test cuts and restores (`bench/fault_injection.CuttableProxy`), so
the shared PostgreSQL and Redis servers keep running for everyone else.
"""

import os
import sqlite3

import pytest
from sqlalchemy.engine import make_url

from bench.fault_injection import CuttableProxy
from kbbot import db
from tests.helpers import ask, build_support_app


def assert_clean_503(response, problem_json=True):
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) == db.RETRY_AFTER_SECONDS
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()
    if problem_json:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 503
    else:
        assert response.mimetype == "text/html" and "briefly unavailable" in body


def test_a_sqlite_write_lock_not_had_in_time_is_503_and_the_next_request_succeeds(support_app, client):
    first = ask(client, "can I get my money back")
    database = support_app.config["DATABASE_URL"].removeprefix("sqlite:///")
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holding the write lock past the busy timeout
        assert_clean_503(client.post("/api/v1/chat", json={"message": "how do I take card payments"}))
    finally:
        other.close()
    ask(client, "how do I take card payments", conversation_id=first["conversation_id"])
    transcript = client.get(f"/api/v1/conversations/{first['conversation_id']}").get_json()["messages"]
    assert [m["role"] for m in transcript] == ["customer", "bot", "customer", "bot"]


@pytest.fixture
def postgres_proxy(postgres_url):
    """(a proxy to the test's PostgreSQL database, the database's URL through it)."""
    url = make_url(postgres_url)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.cut()


def test_postgresql_going_away_is_503_and_coming_back_needs_no_restart(tmp_path, postgres_proxy):
    proxy, url = postgres_proxy
    app = build_support_app(tmp_path, DATABASE_URL=url, BUSINESS_HOURS="24/7")
    client = app.test_client()
    committed = ask(client, "can I get my money back")

    proxy.cut()  # the server restarts: connections drop, new ones are refused
    assert_clean_503(client.post("/api/v1/chat", json={"message": "how do I take card payments"}))
    assert_clean_503(client.get("/articles/refunds"), problem_json=False)
    assert_clean_503(client.get(f"/api/v1/conversations/{committed['conversation_id']}"))

    proxy.restore()
    ask(client, "how do I take card payments", conversation_id=committed["conversation_id"])
    transcript = client.get(f"/api/v1/conversations/{committed['conversation_id']}").get_json()["messages"]
    assert [m["role"] for m in transcript] == ["customer", "bot", "customer", "bot"]
    assert client.get("/articles/refunds").status_code == 200


@pytest.fixture
def redis_proxy():
    """(a proxy to the test Redis, its URL through the proxy)."""
    server = os.environ.get("KBBOT_TEST_REDIS_URL")
    if not server:
        pytest.skip("KBBOT_TEST_REDIS_URL is not set")
    url = make_url(server)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 6379))
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.cut()


def test_redis_going_away_lets_requests_through_and_coming_back_counts_again(tmp_path, redis_proxy):
    """Rate limiting must never take the chat down: without its store it lets requests through; back,
    it counts again, with the counts made before the outage."""
    proxy, url = redis_proxy
    app = build_support_app(
        tmp_path, RATE_LIMIT_STORAGE=url, RATE_LIMIT_PER_VISITOR="2/minute", RATE_LIMIT_PER_ADDRESS="off"
    )
    client = app.test_client()
    first = ask(client, "can I get my money back")
    ask(client, "how do I take card payments", conversation_id=first["conversation_id"])

    proxy.cut()
    ask(client, "I forgot my password", conversation_id=first["conversation_id"])  # not counted

    proxy.restore()
    refused = client.post(
        "/api/v1/chat", json={"message": "export", "conversation_id": first["conversation_id"]}
    )
    assert refused.status_code == 429 and refused.headers["Retry-After"]
