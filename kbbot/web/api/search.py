"""Help-center search for the widget and scripts, and the time a visitor spent reading an article."""

from flask import Blueprint, request

from ...articles.rendering import snippet_html
from ...errors import InvalidInput, NotFound
from ...models import Event
from ...text import MAX_QUERY_CHARS
from .. import article_views
from ..help_center import absolute_url
from ..request_input import number_arg
from ..search import clean_query, search_help_center
from ..session import get_session
from ..visitors import current_visitor_id
from . import schemas
from .openapi import documented, parameter
from .requests import read_json

bp = Blueprint("search", __name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


@bp.get("/search")
@documented(
    ok=schemas.SearchOut,
    errors=(422,),
    parameters=(
        parameter("q", {"type": "string", "maxLength": MAX_QUERY_CHARS}, required=True),
        parameter("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    ),
)
def search():
    """Search the help center.

    A query with nothing searchable in it (blank, or control characters only) finds nothing.
    """
    if "q" not in request.args:
        raise InvalidInput("q", "is required")
    sent = request.args["q"]
    if len(sent) > MAX_QUERY_CHARS:
        raise InvalidInput("q", f"must be at most {MAX_QUERY_CHARS} characters")
    limit = number_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    query = clean_query(sent)
    if not query:
        return schemas.SearchOut(query="", searched_for="", results=[]).model_dump(mode="json")
    searched, found = search_help_center(get_session(), query, limit, current_visitor_id(), "api")
    results = [
        {
            "slug": source.slug,
            "title": source.title,
            "url": absolute_url("help_center.article", slug=source.slug, ref="search"),
            "snippet": source.snippet,
            "snippet_html": snippet_html(
                source.snippet, absolute_url("help_center.article", slug=source.slug)
            ),
            "score": source.score,
        }
        for source, _article in found
    ]
    return schemas.SearchOut(query=query, searched_for=searched, results=results).model_dump(mode="json")


@bp.post("/views/<id:view_id>")
@documented(body=schemas.ViewDuration, status=204, errors=(404, 429))
def record_reading_time(view_id):
    """How long the visitor spent on an article page (sent by the page).

    The browser reports it for an article page it was served. The time counted is at most what a
    person could spend reading the article.
    """
    body = read_json()
    view = get_session().get(Event, view_id)
    if view is None or view.type != "article_view" or view.visitor_id != current_visitor_id(create=False):
        raise NotFound("view not found")
    article_views.record_reading_time(get_session(), view, body.seconds)
    return "", 204
