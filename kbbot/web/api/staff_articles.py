"""The staff API for articles: a CMS or script lists, reads, writes, publishes and deletes them.

The same rules as the web editor and `kbbot sync`: fields are validated like
a file's front matter (422 naming the field), and a change must say which
revision it was made on, in `If-Match` (the ETag of a GET; a stale one gets
412) or as `base_revision` in the body (a stale one gets 409 with the current
revision), so no one silently overwrites someone else's edit.
"""

from datetime import datetime, timezone

from flask import Blueprint, g, request, url_for
from werkzeug.exceptions import PreconditionFailed, PreconditionRequired

from ... import db
from ...articles import editing
from ...articles import listing as article_listing
from ...text import slugify
from ..help_center import absolute_url
from . import staff_schemas
from .problems import problem
from .requests import read_json
from .staff import staff_required

bp = Blueprint("staff_articles", __name__, url_prefix="/staff/articles")

ROLE = "editor"


@bp.errorhandler(editing.StaleRevision)
def _stale(error: editing.StaleRevision):
    return problem(409, "Conflict", str(error), extra={"current_revision": error.current})


def etag(article):
    """The strong ETag of the article's current revision (without quotes)."""
    return f"{article.id}.{article.current_revision.number}"


def _checked_base(article, base_revision=None, required=False):
    """The revision a change was made on, from If-Match or `base_revision`.

    A stale If-Match is 412; a stale `base_revision` is left to `editing` (409).
    Without either: the current revision, or 428 when `required`.
    """
    if request.if_match:
        if not request.if_match.star_tag and not request.if_match.contains(etag(article)):
            raise PreconditionFailed(
                f"the article is at revision {article.current_revision.number} "
                f'(ETag "{etag(article)}"): fetch it again and reapply your change'
            )
        return article.current_revision.number if base_revision is None else base_revision
    if base_revision is not None:
        return base_revision
    if required:
        raise PreconditionRequired(
            "say which revision the change was made on: If-Match with the article's ETag, or base_revision"
        )
    return article.current_revision.number


def _fields(body: staff_schemas.ArticleWrite):
    return {
        "title": body.title,
        "slug": body.slug,
        "category": body.category,
        "tags": body.tags,
        "questions": body.questions,
        "locale": body.locale,
        "status": body.status,
    }


def _out(article, status=200):
    current = article.current_revision
    author = current.author
    out = staff_schemas.StaffArticle(
        id=article.id,
        slug=article.slug,
        title=article.title,
        category=article.category.name if article.category else None,
        tags=article.tags,
        questions=article.questions,
        locale=article.locale,
        status=article.status,
        body=article.body,
        revision=current.number,
        updated_at=current.created_at,
        updated_by=(author.name or author.email) if author else None,
        source_path=article.source_path,
        url=absolute_url("help_center.article", slug=article.slug) if article.status == "published" else None,
    )
    return out.model_dump(mode="json"), status, {"ETag": f'"{etag(article)}"'}


@bp.get("")
@staff_required(ROLE)
def list_articles():
    """?q=, category (slug), status, locale, helpful, edited_within (days), sort, page, per_page."""
    filters = article_listing.Filters.from_args(request.args)
    listing = article_listing.list_articles(db.get_session(), filters, datetime.now(timezone.utc))
    summaries = [
        staff_schemas.StaffArticleSummary(
            id=row.article.id,
            slug=row.article.slug,
            title=row.article.title,
            category=row.article.category.name if row.article.category else None,
            status=row.article.status,
            locale=row.article.locale,
            revision=row.revision,
            updated_at=row.edited_at,
            updated_by=row.edited_by,
            votes=row.votes.total,
            helpful_rate=None if row.votes.rate is None else round(row.votes.rate, 4),
        )
        for row in listing.rows
    ]
    return staff_schemas.StaffArticleList(
        articles=summaries, total=listing.total, page=listing.page, per_page=listing.per_page
    ).model_dump(mode="json")


@bp.post("")
@staff_required(ROLE)
def create_article():
    body = read_json(staff_schemas.ArticleWrite)
    source = editing.parse(_fields(body), body.body, slug=body.slug or slugify(body.title))
    article = editing.create(db.get_session(), source, g.staff_user, body.note.strip())
    out, _, headers = _out(article)
    headers["Location"] = url_for(".get_article", article_id=article.id)
    return out, 201, headers


@bp.get("/<id:article_id>")
@staff_required(ROLE)
def get_article(article_id):
    return _out(editing.get(db.get_session(), article_id))


@bp.put("/<id:article_id>")
@staff_required(ROLE)
def update_article(article_id):
    """Replace the article's fields and body (like saving its file again); needs If-Match or base_revision."""
    body = read_json(staff_schemas.ArticleWrite)
    session = db.get_session()
    article = editing.get(session, article_id, lock=True)
    base = _checked_base(article, body.base_revision, required=True)
    source = editing.parse(_fields(body), body.body, slug=body.slug or article.slug)
    editing.update(session, article, source, base, g.staff_user, body.note.strip())
    return _out(article)


def _set_status(article_id, change):
    session = db.get_session()
    article = editing.get(session, article_id, lock=True)
    base = _checked_base(article)
    change(session, article, g.staff_user, base=base)
    return _out(article)


@bp.post("/<id:article_id>/publish")
@staff_required(ROLE)
def publish_article(article_id):
    """Publish as it is (no change when already published); optional If-Match."""
    return _set_status(article_id, editing.publish)


@bp.post("/<id:article_id>/unpublish")
@staff_required(ROLE)
def unpublish_article(article_id):
    """Make it a draft: off the help center and out of the bot's answers; optional If-Match."""
    return _set_status(article_id, editing.unpublish)


@bp.delete("/<id:article_id>")
@staff_required(ROLE)
def delete_article(article_id):
    """Delete the article and its history for good; optional If-Match."""
    session = db.get_session()
    article = editing.get(session, article_id, lock=True)
    base = _checked_base(article)
    editing.delete(session, article, base)
    return "", 204
