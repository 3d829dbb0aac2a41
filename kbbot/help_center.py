"""The public help center. For now its article page, whose views are logged for agents and reports."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import db, events
from .models import Article
from .rendering import render_markdown
from .visitors import current_visitor_id

bp = Blueprint("help_center", __name__)

REFERRER_KINDS = ("search", "browse", "bot", "external", "direct")


def referrer_kind(ref, referrer, own_host):
    """How the visitor reached a page: an explicit `ref` from our own links, else the Referer header."""
    if ref in ("search", "browse", "bot"):
        return ref
    if not referrer:
        return "direct"
    parts = urlsplit(referrer)
    if parts.netloc != own_host:
        return "external"
    return "search" if parts.path.rstrip("/").endswith("/search") else "browse"


@bp.get("/articles/<slug>")
def article(slug):
    found = (
        db.get_session()
        .execute(
            select(Article)
            .where(Article.slug == slug, Article.status == "published")
            .options(selectinload(Article.category))
        )
        .scalar_one_or_none()
    )
    if found is None:
        abort(404)
    view = events.record(
        "article_view",
        visitor_id=current_visitor_id(),
        article_id=found.id,
        slug=found.slug,
        title=found.title,
        ref=referrer_kind(request.args.get("ref"), request.referrer, request.host),
    )
    events.flush()  # now, so that the page can report reading time against this view's id
    return render_template(
        "help_center/article.html", article=found, body=render_markdown(found.body), view=view
    )
