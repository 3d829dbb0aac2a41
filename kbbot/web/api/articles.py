"""Help-center articles for the widget's articles mode: one published article, its body as safe HTML."""

from flask import Blueprint

from ...articles import catalog
from ...articles.rendering import render_article
from ...errors import NotFound
from .. import article_views
from ..help_center import absolute_url
from ..session import get_session
from . import schemas
from .openapi import documented

bp = Blueprint("articles", __name__)


@bp.get("/articles/<slug>")
@documented(ok=schemas.ArticleOut, errors=(404,))
def article(slug):
    """A published article, its body as sanitized HTML (logged as a view in the widget)."""
    found = catalog.article(get_session(), slug)
    if found is None:
        raise NotFound("article not found")
    view = article_views.count_view(get_session(), found, "widget")  # written now: its id goes out
    out = schemas.ArticleOut.from_attributes(
        found,
        url=absolute_url("help_center.article", slug=found.slug),
        html=render_article(found.body).html,  # with heading ids: a link to a section opens at it
        view_id=view.id if view is not None else None,
    )
    return out.model_dump(mode="json")
