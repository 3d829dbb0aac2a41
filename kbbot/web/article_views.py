"""Counting article views and reading times from anonymous browsers, so that a script cannot make an
article "Popular" or a reading time absurd.

A page is always served; what is limited is what it counts:

- A visitor's views of one article within KBBOT_VIEW_REPEAT_MINUTES count once: the page gets the
  earlier view's id, and reports its reading time against it.
- A client address counts at most KBBOT_VIEW_COUNT_PER_ADDRESS views of one article (e.g. "10/day"),
  so a script that drops its visitor id for a new one each time adds no more; beyond it the page is
  served without a view (and without a reading-time report).
- Reading-time reports are limited per address (KBBOT_RATE_LIMIT_READING_REPORTS, 429 above it), and
  the time counted is capped (`events.reading_seconds`).

The per-address counts are kept where the rate limits keep theirs (KBBOT_RATE_LIMIT_STORAGE); a store
that cannot be reached counts the view and accepts the report, with a logged warning.
"""

import logging
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from limits import RateLimitItem
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .. import events
from ..models import Article, utcnow
from .rate_limits import parse_limits, shared_storage
from .session import write_events
from .visitors import current_visitor_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ViewLimits:
    repeat_within: timedelta
    views_per_address: tuple[RateLimitItem, ...]  # views of one article counted per address
    reports_per_address: tuple[RateLimitItem, ...]  # reading-time reports per address
    limiter: MovingWindowRateLimiter


def from_config(config):
    return ViewLimits(
        timedelta(minutes=config["VIEW_REPEAT_MINUTES"]),
        parse_limits(config["VIEW_COUNT_PER_ADDRESS"], "KBBOT_VIEW_COUNT_PER_ADDRESS"),
        parse_limits(config["RATE_LIMIT_READING_REPORTS"], "KBBOT_RATE_LIMIT_READING_REPORTS"),
        MovingWindowRateLimiter(shared_storage(config)),
    )


def init_app(app):
    app.extensions["kbbot.view_limits"] = from_config(app.config)


def _limits():
    return current_app.extensions["kbbot.view_limits"]


def _hit(items, *keys):
    """Whether every one of `items` has room for one more of `keys` (each then counted); True when the
    store is away."""
    limits = _limits()
    try:
        return all(limits.limiter.hit(item, *keys) for item in items)
    except StorageError as e:
        log.warning("article view limits not checked: the store failed (%s)", type(e.storage_error).__name__)
        return True


def count_view(session, article, ref):
    """The `article_view` event this page's view counts as, written now (the page reports its reading
    time against its id): an earlier view of the visitor's within the repeat window, a new one, or
    None when this address has used up its views of the article."""
    visitor_id = current_visitor_id()
    earlier = events.recent_view(session, visitor_id, article.id, utcnow() - _limits().repeat_within)
    if earlier is not None:
        return earlier
    if not _hit(_limits().views_per_address, "views", request.remote_addr or "", str(article.id)):
        return None
    view = events.record_article_view(session, article, visitor_id, ref)
    write_events()
    return view


def record_reading_time(session, view, seconds):
    """Log the reading time a browser reported for `view` (capped, `events.reading_seconds`); 429 when
    its address sent too many reports."""
    address = request.remote_addr or ""
    limits = _limits()
    for item in limits.reports_per_address:
        if not _hit((item,), "reading", address):
            reset_at = limits.limiter.get_window_stats(item, "reading", address).reset_time
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise TooManyRequests(
                f"Too many reading times from this address (at most {item}); try again in {retry_after} s.",
                retry_after=retry_after,
            )
    article = session.get(Article, view.article_id) if view.article_id is not None else None
    words = len(article.body.split()) if article is not None else 0
    return events.record_reading_time(session, view, seconds, words)
