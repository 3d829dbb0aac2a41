"""Rate limits on the public requests that run the answer engine: chat messages and searches.

Each costs a model call; a script sending thousands would slow every customer's answers and fill
the conversation log and the reports with noise. Two sets of limits count chat and search
together, in moving windows (the `limits` library): per visitor (the signed visitor id), and per
client address, so a script that drops its visitor id for a new one each time is still held. A
request over a limit gets 429 with Retry-After; nothing else is refused. Behind a reverse proxy,
KBBOT_PROXIES makes the address the client's rather than the proxy's.

The counts are kept in this process's memory unless KBBOT_RATE_LIMIT_STORAGE names a store that
every worker shares (redis://host:6379). A store that cannot be reached lets requests through,
with a logged warning: rate limiting must never take the chat down.

Counting requests is not enough: a 500-character search costs the CPU of dozens of short ones. So
the engine's work is counted too: each asking request is charged its words (at most
KBBOT_MAX_QUERY_WORDS, the words the engine searches) against a per-address budget of words
(KBBOT_RATE_LIMIT_WORDS_PER_ADDRESS); an address may have only KBBOT_ENGINE_CALLS_PER_ADDRESS of them
running at once (429 above it); and the machine runs at most KBBOT_ENGINE_CALLS_AT_ONCE engine calls
at once, all workers together, so that the other cores keep serving pages: a call waits up to
KBBOT_ENGINE_WAIT_SECONDS for its turn, then gets 503 with Retry-After (engine_calls.py). Only the
engine's own work holds a slot: a request's database reads and writes, and an answer the engine
kept from an earlier asking of the same question, run beside the calls that hold one.
"""

import contextlib
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from .engine_calls import InFlight, MachineSlots
from .visitors import current_visitor_id

log = logging.getLogger(__name__)

# A shared store that does not answer within this lets the request through (a Redis that hangs
# must not hang the chat with it).
STORE_TIMEOUT_SECONDS = 1.0

# The endpoints that run the answer engine, and share the limits.
ASKING_ENDPOINTS = frozenset({"api.chat.chat", "api.search.search", "help_center.search"})
OFF = "off"


@dataclass(frozen=True)
class RateLimits:
    per_visitor: tuple[RateLimitItem, ...]
    per_address: tuple[RateLimitItem, ...]
    words_per_address: tuple[RateLimitItem, ...]  # each request charged its words searched
    limiter: MovingWindowRateLimiter
    in_flight: InFlight | None  # engine calls at once per address; None: no cap


def parse_limits(value, name):
    """Limits such as "30/minute;300/hour" (() for "off"); ValueError names the setting."""
    if value.strip().lower() == OFF:
        return ()
    try:
        return tuple(parse_many(value))
    except ValueError as e:
        raise ValueError(
            f"{name} must be limits such as '30/minute;300/hour', or 'off'; got {value!r}"
        ) from e


def from_config(config):
    """The app's `RateLimits`, or None when every limit is off; ValueError names a bad setting."""
    per_visitor = parse_limits(config["RATE_LIMIT_PER_VISITOR"], "KBBOT_RATE_LIMIT_PER_VISITOR")
    per_address = parse_limits(config["RATE_LIMIT_PER_ADDRESS"], "KBBOT_RATE_LIMIT_PER_ADDRESS")
    words = parse_limits(config["RATE_LIMIT_WORDS_PER_ADDRESS"], "KBBOT_RATE_LIMIT_WORDS_PER_ADDRESS")
    calls_per_address = config["ENGINE_CALLS_PER_ADDRESS"]
    if not per_visitor and not per_address and not words and not calls_per_address:
        return None
    storage = shared_storage(config)
    in_flight = InFlight(calls_per_address, storage) if calls_per_address else None
    return RateLimits(per_visitor, per_address, words, MovingWindowRateLimiter(storage), in_flight)


def shared_storage(config):
    """The counting store KBBOT_RATE_LIMIT_STORAGE names; ValueError when it does not read.

    A Redis store is asked with a short timeout: a hung Redis must not hold up requests."""
    uri = config["RATE_LIMIT_STORAGE"]
    timeouts = (
        {"socket_timeout": STORE_TIMEOUT_SECONDS, "socket_connect_timeout": STORE_TIMEOUT_SECONDS}
        if uri.startswith(("redis://", "rediss://"))
        else {}
    )
    try:
        return storage_from_string(uri, wrap_exceptions=True, **timeouts)
    except (ConfigurationError, ValueError) as e:
        raise ValueError(
            "KBBOT_RATE_LIMIT_STORAGE must be memory:// or a store such as redis://host:6379 "
            f"(with the 'redis' package installed): {e}"
        ) from e


def machine_slots(config):
    """The engine's `MachineSlots` under the instance folder, or None when KBBOT_ENGINE_CALLS_AT_ONCE is 0."""
    count = config["ENGINE_CALLS_AT_ONCE"]
    return MachineSlots(count, config["INSTANCE_PATH"] / "engine-slots") if count else None


class EngineBusy(ServiceUnavailable):
    """Every engine slot stayed busy: searching waits, pages still open (the help center says so)."""


def init_app(app):
    for name in ("ENGINE_CALLS_PER_ADDRESS", "ENGINE_CALLS_AT_ONCE"):
        if app.config[name] < 0:
            raise ValueError(f"KBBOT_{name} must be 0 (no cap) or more, got {app.config[name]}")
    app.extensions["kbbot.rate_limits"] = from_config(app.config)
    app.extensions["kbbot.engine_slots"] = machine_slots(app.config)
    app.before_request(_hold_back_floods)
    app.teardown_request(_end_engine_call)


def words_searched(max_words):
    """How many words of this request's query the engine will search: at least 1, at most `max_words`."""
    if request.method == "POST":
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # pathologically nested: the view answers 400 (api/requests.py)
            body = None
        text = body.get("message") if isinstance(body, dict) else None
    else:
        text = request.args.get("q")
    return max(1, min(len(text.split()) if isinstance(text, str) else 0, max_words))


def _hold_back_floods():
    """Before a request that asks the engine something: hold it to its address's share of engine
    calls at once, count it against its visitor's and its address's limits and its words against its
    address's budget (429 when one is used up), and mark it as asking: the engine's work on its question
waits for one of the machine's engine slots (`engine_gate`)."""
    if request.endpoint not in ASKING_ENDPOINTS or request.method == "OPTIONS":
        return
    if request.method == "GET" and not request.args.get("q", "").strip():
        return  # the search page without a query, or the API's 422: no engine call
    limits = current_app.extensions["kbbot.rate_limits"]
    address = request.remote_addr or ""
    if limits is not None:
        try:
            _take_address_share(limits, address)
            words = words_searched(current_app.config["MAX_QUERY_WORDS"])
            counted = (
                # A new visitor's id goes out with this reply.
                ("asking", "visitor", current_visitor_id(), limits.per_visitor, 1),
                ("asking", "address", address, limits.per_address, 1),
                ("words", "address", address, limits.words_per_address, words),
            )
            for namespace, kind, key, items, cost in counted:
                for item in items:
                    _count(limits, item, namespace, kind, key, cost)
        except (StorageError, *_store_errors(limits)) as e:
            # The shared store is away: let the request through.
            error = e.storage_error if isinstance(e, StorageError) else e
            log.warning("rate limits not checked: the store failed (%s)", type(error).__name__)
    g.kbbot_asking = True  # the engine's work in this request waits for a machine slot (`engine_gate`)


def _store_errors(limits):
    return limits.in_flight.store_errors if limits.in_flight is not None else ()


def _take_address_share(limits, address):
    if limits.in_flight is None:
        return
    lease = limits.in_flight.acquire(address)
    if lease is None:
        raise TooManyRequests(
            f"Too many questions and searches at once from this address (at most {limits.in_flight.cap}); "
            "wait for an answer before asking again.",
            retry_after=1,
        )
    g.kbbot_address_lease = lease


def _count(limits, item, namespace, kind, key, cost):
    """Charge `cost` to `key`'s count of `item` ("asking": requests, "words": words searched); 429
    when it does not fit."""
    if limits.limiter.hit(item, namespace, kind, key, cost=cost):
        return
    reset_at = limits.limiter.get_window_stats(item, namespace, kind, key).reset_time
    retry_after = max(1, math.ceil(reset_at - time.time()))
    what = "questions and searches" if namespace == "asking" else "words searched"
    raise TooManyRequests(
        f"Too many {what} from this {kind} (at most {item}); try again in {retry_after} s.",
        retry_after=retry_after,
    )


def engine_gate(app):
    """The engine's `gate`: in a public asking request (a chat message, a search), a machine slot held
    while the engine works on a question, not while the request reads and writes the database nor
    for an answer from the engine's cache; 503 when none comes free in time. Staff pages and commands
    pass through."""
    slots, wait_seconds = app.extensions["kbbot.engine_slots"], app.config["ENGINE_WAIT_SECONDS"]

    @contextlib.contextmanager
    def gate():
        if slots is None or not (has_request_context() and g.get("kbbot_asking")):
            yield
            return
        slot = slots.acquire(wait_seconds)
        if slot is None:
            raise EngineBusy(
                "The assistant is busy answering other questions; please try again in a moment.", retry_after=2
            )
        try:
            yield
        finally:
            MachineSlots.release(slot)

    return gate


def _end_engine_call(_exception=None):
    """After a request: give back the address's share of engine calls it held."""
    lease = g.pop("kbbot_address_lease", None)
    if lease is not None:
        try:
            current_app.extensions["kbbot.rate_limits"].in_flight.release(lease)
        except _store_errors(current_app.extensions["kbbot.rate_limits"]) as e:
            log.warning("an engine call's place was not given back: the store failed (%s)", type(e).__name__)
