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
"""

import logging
import math
import time
from dataclasses import dataclass

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

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
    limiter: MovingWindowRateLimiter


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
    """The app's `RateLimits`, or None when both sets are off; ValueError names a bad setting."""
    per_visitor = parse_limits(config["RATE_LIMIT_PER_VISITOR"], "KBBOT_RATE_LIMIT_PER_VISITOR")
    per_address = parse_limits(config["RATE_LIMIT_PER_ADDRESS"], "KBBOT_RATE_LIMIT_PER_ADDRESS")
    if not per_visitor and not per_address:
        return None
    uri = config["RATE_LIMIT_STORAGE"]
    timeouts = (
        {"socket_timeout": STORE_TIMEOUT_SECONDS, "socket_connect_timeout": STORE_TIMEOUT_SECONDS}
        if uri.startswith(("redis://", "rediss://"))
        else {}
    )
    try:
        storage = storage_from_string(uri, wrap_exceptions=True, **timeouts)
    except (ConfigurationError, ValueError) as e:
        raise ValueError(
            "KBBOT_RATE_LIMIT_STORAGE must be memory:// or a store such as redis://host:6379 "
            f"(with the 'redis' package installed): {e}"
        ) from e
    return RateLimits(per_visitor, per_address, MovingWindowRateLimiter(storage))


def init_app(app):
    app.extensions["kbbot.rate_limits"] = from_config(app.config)
    app.before_request(_hold_back_floods)


def _hold_back_floods():
    """Before a request: count it against its visitor's and its address's limits if it asks the
    engine something; 429 when one is used up."""
    limits = current_app.extensions["kbbot.rate_limits"]
    if limits is None or request.endpoint not in ASKING_ENDPOINTS or request.method == "OPTIONS":
        return
    counted = (
        ("visitor", current_visitor_id(), limits.per_visitor),  # a new visitor's id is issued with this reply
        ("address", request.remote_addr or "", limits.per_address),
    )
    for kind, key, items in counted:
        for item in items:
            try:
                allowed = limits.limiter.hit(item, "asking", kind, key)
            except StorageError as e:  # the shared store is away: let the request through
                log.warning("rate limits not checked: the store failed (%s)", type(e.storage_error).__name__)
                return
            if not allowed:
                reset_at = limits.limiter.get_window_stats(item, "asking", kind, key).reset_time
                retry_after = max(1, math.ceil(reset_at - time.time()))
                raise TooManyRequests(
                    f"Too many questions and searches from this {kind} (at most {item}); "
                    f"try again in {retry_after} s.",
                    retry_after=retry_after,
                )
