"""The staff API for articles: a CMS or script lists, reads, writes, publishes and deletes them.

The same rules as the web editor and `kbbot sync`: fields are validated like
a file's front matter (422 naming the field), and a change must say which
revision it was made on, in `If-Match` (the ETag of a GET; a stale one gets
412) or as `base_revision` in the body (a stale one gets 409 with the current
revision), so no one silently overwrites someone else's edit.
"""

import hashlib
import re
from datetime import datetime, timezone

from flask import Blueprint, abort, g, request, url_for
from werkzeug.exceptions import PreconditionFailed, PreconditionRequired

from ...articles import editing
from ...articles import listing as article_listing
from ...models import ARTICLE_STATUSES
from ...text import slugify
from ..help_center import absolute_url
from ..session import get_session
from . import staff_schemas
from .openapi import documented, parameter
from .problems import problem
from .requests import read_json
from .staff import staff_required

bp = Blueprint("staff_articles", __name__, url_prefix="/staff/articles")

ROLE = "editor"
# RFC 9110's If-Match: "*" or a comma-separated list of entity-tags, each [W/]"opaque". The list may
# be empty, and a recipient accepts empty elements (RFC 9110 5.6.1): an empty list matches nothing.
_ENTITY_TAG = r'(W/)?"[\x21\x23-\x7e\x80-\xff]*"'
IF_MATCH_PATTERN = rf"^(\*|({_ENTITY_TAG})?([ \t]*,[ \t]*({_ENTITY_TAG})?)*)$"
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_TAGS = re.compile(r'(W/)?"([^"]*)"')
IF_MATCH = parameter(
    "If-Match",
    {"type": "string", "pattern": IF_MATCH_PATTERN},
    "The ETag of the revision the change was made on (from a GET), or `*`; a list of them may name it. "
    'Compared strongly (RFC 9110): a weak tag (W/"...") never matches, nor does an empty list. A stale '
    "one gets 412, a malformed header 400.",
    where="header",
)
FILTERS = (  # the query parameters of the list (article_listing.Filters.from_args reads them)
    parameter(
        "q", {"type": "string", "maxLength": article_listing.MAX_QUERY_CHARS}, "Words in the title or body."
    ),
    parameter(
        "category", {"type": "string", "maxLength": article_listing.MAX_CATEGORY_CHARS}, "A category's slug."
    ),
    parameter("status", {"type": "string", "enum": list(ARTICLE_STATUSES)}),
    parameter("locale", {"type": "string", "maxLength": article_listing.MAX_LOCALE_CHARS}),
    parameter(
        "helpful", {"type": "string", "enum": list(article_listing.HELPFUL_CHOICES)}, "Helpful-rate band."
    ),
    parameter(
        "edited_within",
        {"type": "string", "enum": [str(days) for days in article_listing.EDITED_WITHIN_DAYS]},
        "Days since the last edit.",
    ),
    parameter(
        "sort",
        {"type": "string", "enum": list(article_listing.SORTS)},
        "Default: most recently edited first.",
    ),
    parameter("page", {"type": "integer", "minimum": 1, "maximum": article_listing.MAX_PAGE}),
    parameter(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": article_listing.MAX_PER_PAGE},
        f"Default {article_listing.PER_PAGE}.",
    ),
)


@bp.errorhandler(editing.SlugConflict)
def _slug_conflict(error: editing.SlugConflict):
    return problem(409, "Conflict", str(error), errors=[{"field": error.field, "message": error.message}])


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
    if_match = request.headers.get("If-Match")
    if if_match is not None:
        if not _IF_MATCH.fullmatch(if_match):
            abort(400, 'If-Match must be "*" or a list of entity-tags, e.g. "12.3"')
        strong = {opaque for weak, opaque in _TAGS.findall(if_match) if not weak}
        if if_match != "*" and etag(article) not in strong:
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
    out = staff_schemas.StaffArticle.from_attributes(
        article,
        category=article.category.name if article.category else None,
        revision=current.number,
        updated_at=current.created_at,
        updated_by=(author.name or author.email) if author else None,
        url=absolute_url("help_center.article", slug=article.slug) if article.status == "published" else None,
    )
    return out.model_dump(mode="json"), status, {"ETag": f'"{etag(article)}"'}


def _new_slug(body: staff_schemas.ArticleWrite):
    """The slug a new article gets: the one sent, else one made from the title, else (a title with no
    letter or digit to make one from) `article-` and a digest of the title."""
    if body.slug is not None:
        return body.slug
    digest = hashlib.sha256(body.title.encode("utf-8", "surrogatepass")).hexdigest()
    return slugify(body.title) or f"article-{digest[:8]}"


@bp.get("")
@documented(ok=staff_schemas.StaffArticleList, errors=(422,), parameters=FILTERS)
@staff_required(ROLE)
def list_articles():
    """Articles, drafts included, with helpful rate and last edit; filtered, sorted, paginated."""
    filters = article_listing.Filters.from_args(request.args, exact=True)
    listing = article_listing.list_articles(get_session(), filters, datetime.now(timezone.utc))
    summaries = [
        staff_schemas.StaffArticleSummary.from_attributes(
            row.article,
            category=row.article.category.name if row.article.category else None,
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
@documented(body=staff_schemas.ArticleWrite, ok=staff_schemas.StaffArticle, status=201, errors=(409,))
@staff_required(ROLE)
def create_article():
    """Create an article (validated like a file for kbbot sync); the response's ETag is its revision."""
    body = read_json()
    source = editing.parse(_fields(body), body.body, slug=_new_slug(body))
    article = editing.create(get_session(), source, g.staff_user, body.note.strip())
    out, _, headers = _out(article)
    headers["Location"] = url_for(".get_article", article_id=article.id)
    return out, 201, headers


@bp.get("/<id:article_id>")
@documented(ok=staff_schemas.StaffArticle, errors=(404,))
@staff_required(ROLE)
def get_article(article_id):
    """An article with its current revision number (also its ETag)."""
    return _out(editing.get(get_session(), article_id))


@bp.put("/<id:article_id>")
@documented(
    body=staff_schemas.ArticleWrite,
    ok=staff_schemas.StaffArticle,
    errors=(404, 409, 412, 428),
    parameters=(IF_MATCH,),
)
@staff_required(ROLE)
def update_article(article_id):
    """Replace an article's fields and body; needs If-Match or base_revision (stale: 412 or 409).

    Like saving its file again.
    """
    body = read_json()
    session = get_session()
    article = editing.get(session, article_id, lock=True)
    base = _checked_base(article, body.base_revision, required=True)
    source = editing.parse(_fields(body), body.body, slug=body.slug or article.slug)
    editing.update(session, article, source, base, g.staff_user, body.note.strip())
    return _out(article)


def _set_status(article_id, change):
    session = get_session()
    article = editing.get(session, article_id, lock=True)
    base = _checked_base(article)
    change(session, article, g.staff_user, base=base)
    return _out(article)


@bp.post("/<id:article_id>/publish")
@documented(ok=staff_schemas.StaffArticle, errors=(404, 409, 412), parameters=(IF_MATCH,))
@staff_required(ROLE)
def publish_article(article_id):
    """Publish an article as it is; the bot answers from it at once.

    No change when already published; If-Match is optional.
    """
    return _set_status(article_id, editing.publish)


@bp.post("/<id:article_id>/unpublish")
@documented(ok=staff_schemas.StaffArticle, errors=(404, 409, 412), parameters=(IF_MATCH,))
@staff_required(ROLE)
def unpublish_article(article_id):
    """Make an article a draft: off the help center and out of the bot's answers.

    If-Match is optional.
    """
    return _set_status(article_id, editing.unpublish)


@bp.delete("/<id:article_id>")
@documented(status=204, errors=(404, 412), parameters=(IF_MATCH,))
@staff_required(ROLE)
def delete_article(article_id):
    """Delete an article and its history.

    For good; If-Match is optional.
    """
    session = get_session()
    article = editing.get(session, article_id, lock=True)
    base = _checked_base(article)
    editing.delete(session, article, base)
    return "", 204
