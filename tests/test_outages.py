"""The database or Redis going away under traffic: requests fail cleanly (503 with Retry-After, never a
stack trace), the app recovers without a restart, and nothing committed is lost.

Each test stops and starts a PostgreSQL or Redis server of its own (`bench/fault_injection`), so the shared
servers keep running for everyone else.
"""

import shutil
import sqlite3

import pytest

from bench.fault_injection import PostgresServer, RedisServer, postgres_program
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
def postgres_server():
    """A running PostgreSQL server of the test's own, removed afterwards."""
    if postgres_program("initdb") is None:
        pytest.skip("the PostgreSQL server programs (initdb, pg_ctl) are not installed")
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


def test_a_postgresql_restart_is_503_meanwhile_and_needs_no_app_restart(tmp_path, postgres_server):
    app = build_support_app(tmp_path, DATABASE_URL=postgres_server.url, BUSINESS_HOURS="24/7")
    client = app.test_client()
    committed = ask(client, "can I get my money back")

    postgres_server.stop()  # the first half of a restart: pooled connections drop, new ones are refused
    assert_clean_503(client.post("/api/v1/chat", json={"message": "how do I take card payments"}))
    assert_clean_503(client.get("/articles/refunds"), problem_json=False)
    assert_clean_503(client.get(f"/api/v1/conversations/{committed['conversation_id']}"))

    postgres_server.start()
    ask(client, "how do I take card payments", conversation_id=committed["conversation_id"])
    transcript = client.get(f"/api/v1/conversations/{committed['conversation_id']}").get_json()["messages"]
    assert [m["role"] for m in transcript] == ["customer", "bot", "customer", "bot"]
    assert client.get("/articles/refunds").status_code == 200


@pytest.fixture
def redis_server():
    """A running Redis server of the test's own, stopped afterwards."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def test_a_redis_restart_lets_requests_through_meanwhile_and_counting_resumes(tmp_path, redis_server):
    """Rate limiting must never take the chat down: without its store it lets requests through; once
    the server is back (empty, as Redis keeps nothing on disk here) it counts again."""
    app = build_support_app(
        tmp_path, RATE_LIMIT_STORAGE=redis_server.url, RATE_LIMIT_PER_VISITOR="2/minute", RATE_LIMIT_PER_ADDRESS="off"
    )
    client = app.test_client()
    conversation = ask(client, "can I get my money back")["conversation_id"]
    ask(client, "how do I take card payments", conversation_id=conversation)

    redis_server.stop()
    ask(client, "I forgot my password", conversation_id=conversation)  # over the limit, but not counted

    redis_server.start()
    ask(client, "how do I cancel", conversation_id=conversation)
    ask(client, "how do I export my data", conversation_id=conversation)
    refused = client.post("/api/v1/chat", json={"message": "export", "conversation_id": conversation})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
