"""Rate limits on chat and search, per visitor and per client address, with real counting stores."""

import os
import secrets

import pytest

from kbbot.web import engine_calls, rate_limits
from tests.helpers import ask, build_support_app


def limited_app(tmp_path, per_visitor="3/minute", per_address="5/minute", **overrides):
    settings = {"RATE_LIMIT_PER_VISITOR": per_visitor, "RATE_LIMIT_PER_ADDRESS": per_address, **overrides}
    return build_support_app(tmp_path, **settings)


def test_a_visitor_over_the_limit_gets_429_with_retry_after_and_chat_and_search_count_together(tmp_path):
    client = limited_app(tmp_path).test_client()
    first = ask(client, "how do I export my invoices to Excel")
    conversation_id = first["conversation_id"]
    assert client.get("/api/v1/search?q=refund").status_code == 200
    ask(client, "and can I get a refund", conversation_id=conversation_id)
    refused = client.post("/api/v1/chat", json={"message": "one more", "conversation_id": conversation_id})
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "at most 3 per 1 minute" in refused.get_json()["detail"]
    page = client.get("/search?q=refund")  # the help center's own search counts too
    assert page.status_code == 429 and "Too many searches at once" in page.get_data(as_text=True)
    assert page.headers["Retry-After"]
    assert client.get("/articles/refunds").status_code == 200  # reading is never limited
    transcript = client.get(f"/api/v1/conversations/{conversation_id}").get_json()["messages"]
    assert "one more" not in [message["text"] for message in transcript]  # refused before it was stored


def test_new_visitor_ids_do_not_escape_the_limit_per_address(tmp_path):
    app = limited_app(tmp_path, per_visitor="100/minute", per_address="3/minute")
    statuses = [app.test_client().get("/api/v1/search?q=refund").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # each request a new client, so a new visitor
    behind_a_proxy = limited_app(tmp_path / "proxied", per_visitor="off", per_address="1/minute", PROXIES=1)
    for address in ("203.0.113.7", "198.51.100.9"):
        client = behind_a_proxy.test_client()
        headers = {"X-Forwarded-For": address}
        assert client.get("/api/v1/search?q=refund", headers=headers).status_code == 200
        assert client.get("/api/v1/search?q=refund", headers=headers).status_code == 429


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("RATE_LIMIT_PER_VISITOR", "thirty a minute", "KBBOT_RATE_LIMIT_PER_VISITOR must be limits such as"),
        ("RATE_LIMIT_STORAGE", "mongo://x", "KBBOT_RATE_LIMIT_STORAGE must be memory://"),
    ],
)
def test_a_bad_setting_stops_the_app_naming_it(tmp_path, setting, value, message):
    with pytest.raises(ValueError, match=message):
        limited_app(tmp_path, **{setting: value})


def test_off_means_no_limit(tmp_path):
    app = limited_app(
        tmp_path,
        per_visitor="off",
        per_address="off",
        RATE_LIMIT_WORDS_PER_ADDRESS="off",
        ENGINE_CALLS_PER_ADDRESS=0,
        ENGINE_CALLS_AT_ONCE=0,
    )
    assert app.extensions["kbbot.rate_limits"] is None and app.extensions["kbbot.engine_slots"] is None
    client = app.test_client()
    assert {client.get("/api/v1/search?q=refund").status_code for _ in range(8)} == {200}


LONG_QUERY = " ".join(["invoice refund password export"] * 30)[:500]  # 500 characters, 72 words


def test_a_query_costs_its_words_so_long_ones_run_out_first(tmp_path):
    app = limited_app(
        tmp_path,
        per_visitor="off",
        per_address="off",
        RATE_LIMIT_WORDS_PER_ADDRESS="60/minute",
        MAX_QUERY_WORDS=40,
    )
    client = app.test_client()
    assert (
        client.get("/api/v1/search", query_string={"q": LONG_QUERY}).status_code == 200
    )  # charged 40, not 72
    refused = client.get("/api/v1/search", query_string={"q": LONG_QUERY})
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert (
        "Too many words searched from this address (at most 60 per 1 minute)" in refused.get_json()["detail"]
    )
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another address, more requests in short queries: 6 x 4 words fit in the budget.
    other = {"REMOTE_ADDR": "192.0.2.44"}
    short = [client.get("/api/v1/search?q=refund+for+my+invoice", environ_base=other) for _ in range(6)]
    assert [response.status_code for response in short] == [200] * 6
    chat = client.post("/api/v1/chat", json={"message": LONG_QUERY}, environ_base=other)
    assert chat.status_code == 429  # 24 words used, 40 more do not fit: chat messages are charged alike


def test_the_engine_searches_only_the_first_words_of_a_long_query(tmp_path):
    app = limited_app(tmp_path, per_visitor="off", per_address="off", MAX_QUERY_WORDS=5)
    found = app.test_client().get("/api/v1/search", query_string={"q": LONG_QUERY}).get_json()
    assert found["query"] == LONG_QUERY
    assert found["searched_for"] == "invoice refund password export invoice"


def test_an_address_runs_only_its_share_of_engine_calls_at_once(tmp_path):
    app = limited_app(tmp_path, per_visitor="off", per_address="off", ENGINE_CALLS_PER_ADDRESS=1)
    client, in_flight = app.test_client(), app.extensions["kbbot.rate_limits"].in_flight
    # Sequential calls each give their place back.
    assert {client.get("/api/v1/search?q=refund").status_code for _ in range(3)} == {200}
    lease = in_flight.acquire("127.0.0.1")  # a call of this address still running
    assert lease is not None and in_flight.acquire("127.0.0.1") is None
    refused = client.get("/api/v1/search?q=refund")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "at once from this address (at most 1)" in refused.get_json()["detail"]
    assert client.get("/search?q=refund").status_code == 429
    assert client.get("/search").status_code == 200  # the search page without a query runs no engine
    assert client.get("/api/v1/search?q=refund", environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 200
    in_flight.release(lease)
    assert client.get("/api/v1/search?q=refund").status_code == 200


def test_every_engine_slot_busy_gets_503_while_pages_still_open(tmp_path):
    app = limited_app(
        tmp_path, per_visitor="off", per_address="off", ENGINE_CALLS_AT_ONCE=1, ENGINE_WAIT_SECONDS=0.1
    )
    client, slots = app.test_client(), app.extensions["kbbot.engine_slots"]
    assert client.get("/api/v1/search?q=refund").status_code == 200
    # Another worker process of this machine holds the only slot: the lock file is shared.
    other_worker = engine_calls.MachineSlots(1, slots.directory)
    held = other_worker.acquire(0)
    assert held is not None and slots.acquire(0) is None
    busy = client.get("/api/v1/search?q=refund")
    assert busy.status_code == 503 and busy.mimetype == "application/problem+json"
    assert busy.headers["Retry-After"] == "2"
    page = client.get("/search?q=refund")
    assert page.status_code == 503 and "Search is busy right now" in page.get_data(as_text=True)
    assert client.get("/articles/refunds").status_code == 200
    engine_calls.MachineSlots.release(held)
    assert client.get("/api/v1/search?q=refund").status_code == 200


def test_only_the_engine_s_work_waits_for_a_slot_not_an_answer_it_kept(tmp_path):
    app = limited_app(
        tmp_path, per_visitor="off", per_address="off", ENGINE_CALLS_AT_ONCE=1, ENGINE_WAIT_SECONDS=0.1
    )
    client = app.test_client()
    asked = ask(client, "how do I export my invoices to Excel")
    held = engine_calls.MachineSlots(1, app.extensions["kbbot.engine_slots"].directory).acquire(0)
    try:
        again = ask(client, "How do I export my invoices to Excel?")  # the same question as searched
        assert (again["action"], again["answer"]) == (asked["action"], asked["answer"])
        busy = client.post("/api/v1/chat", json={"message": "can I get a refund"})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    finally:
        engine_calls.MachineSlots.release(held)
    assert ask(client, "can I get a refund")["action"] in ("answer", "suggest")


@pytest.fixture
def redis_url():
    url = os.environ.get("KBBOT_TEST_REDIS_URL")
    if not url:
        pytest.skip("KBBOT_TEST_REDIS_URL is not set")
    return url


def test_workers_sharing_a_redis_store_share_the_counts(tmp_path, redis_url):
    """Two apps stand for two worker processes: with one store, the limit is for both together."""
    workers = [
        limited_app(tmp_path / name, per_visitor="off", per_address="3/minute", RATE_LIMIT_STORAGE=redis_url)
        for name in ("one", "two")
    ]
    # An address of its own (a documentation IPv6 address, random), so that counts left in the store by
    # an earlier run, or made by a run beside this one (another xdist worker, another checkout), do not
    # matter.
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    statuses = [
        workers[k % 2].test_client().get("/api/v1/search?q=refund", environ_base={"REMOTE_ADDR": address})
        for k in range(4)
    ]
    assert [response.status_code for response in statuses] == [200, 200, 200, 429]


def test_a_store_that_cannot_be_reached_lets_requests_through(tmp_path, caplog):
    pytest.importorskip("redis")
    app = limited_app(tmp_path, RATE_LIMIT_STORAGE="redis://127.0.0.1:1")  # nothing listens there
    with caplog.at_level("WARNING", logger=rate_limits.__name__):
        assert app.test_client().get("/api/v1/search?q=refund").status_code == 200
    assert "rate limits not checked" in caplog.text


def test_workers_sharing_a_redis_store_share_the_engine_calls_at_once(tmp_path, redis_url):
    workers = [
        limited_app(
            tmp_path / name,
            per_visitor="off",
            per_address="off",
            ENGINE_CALLS_PER_ADDRESS=1,
            RATE_LIMIT_STORAGE=redis_url,
        )
        for name in ("one", "two")
    ]
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    environ = {"REMOTE_ADDR": address}
    assert workers[1].test_client().get("/api/v1/search?q=refund", environ_base=environ).status_code == 200
    lease = workers[0].extensions["kbbot.rate_limits"].in_flight.acquire(address)  # running in worker one
    assert lease is not None
    assert workers[1].test_client().get("/api/v1/search?q=refund", environ_base=environ).status_code == 429
    workers[0].extensions["kbbot.rate_limits"].in_flight.release(lease)
    assert workers[1].test_client().get("/api/v1/search?q=refund", environ_base=environ).status_code == 200


def test_workers_sharing_a_redis_store_share_the_words_budget(tmp_path, redis_url):
    workers = [
        limited_app(
            tmp_path / name,
            per_visitor="off",
            per_address="off",
            RATE_LIMIT_WORDS_PER_ADDRESS="60/minute",
            MAX_QUERY_WORDS=40,
            RATE_LIMIT_STORAGE=redis_url,
        )
        for name in ("one", "two")
    ]
    environ = {
        "REMOTE_ADDR": f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    }
    first = (
        workers[0].test_client().get("/api/v1/search", query_string={"q": LONG_QUERY}, environ_base=environ)
    )
    second = (
        workers[1].test_client().get("/api/v1/search", query_string={"q": LONG_QUERY}, environ_base=environ)
    )
    assert (first.status_code, second.status_code) == (200, 429)  # 40 words, then 40 more of 60
