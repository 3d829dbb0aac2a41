"""Searching the help center: one use case for its search page and the search API.

Both show the same articles for a query (relevant ones at or above
KBBOT_SEARCH_FLOOR, still published) and log the search the same way; they
differ only in how they present the results.
"""

from flask import current_app

from .. import events
from ..articles import catalog
from ..text import MAX_QUERY_CHARS, one_line
from .services import get_engine


def clean_query(text):
    """A search query as it is searched and logged: NFC, no control characters, single spaces, bounded."""
    return one_line(text)[:MAX_QUERY_CHARS].strip()


def search_help_center(session, query, limit, visitor_id, source):
    """(the query as searched, misspellings corrected; the articles the help center shows for it, best
    first, as (engine `Source`, published `Article`) pairs).

    At most `limit` articles: the relevant ones whose confidence is at or above KBBOT_SEARCH_FLOOR, less
    any unpublished since the engine last looked. The search is logged for `visitor_id` as made in
    `source` ("help_center", "widget" or "api"); a search with `visitor_id` None (a staff member's) is not.
    """
    floor = current_app.config["SEARCH_FLOOR"]
    searched, sources = get_engine().search(session, query, limit=limit, relevant_only=True, floor=floor)
    published = catalog.articles_by_id(session, [found.article_id for found in sources])
    results = [(found, published[found.article_id]) for found in sources if found.article_id in published]
    if visitor_id is not None:
        found = [(result.slug, result.title) for result, _ in results]
        events.record_search(session, visitor_id, query, found, source=source)
    return searched, results
