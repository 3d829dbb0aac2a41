"""What the public help center shows: published articles, their categories and what is read most.

Drafts never leave this module: every query here filters on the published
status, so the pages built from it cannot show one by mistake.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, load_only, selectinload

from ..models import Article, Category, Event, utcnow

POPULAR_WINDOW = timedelta(days=30)
_PUBLISHED = Article.status == "published"


@dataclass(frozen=True)
class CategorySummary:
    """A category as the home page lists it."""

    slug: str
    name: str
    article_count: int  # published articles only
    top_articles: tuple[Article, ...]  # the first few by title, published
    updated_at: datetime  # the latest update of its published articles


def article(session: Session, slug):
    """The published article `slug` with its category, or None (unknown or draft)."""
    return session.execute(
        select(Article).where(Article.slug == slug, _PUBLISHED).options(selectinload(Article.category))
    ).scalar_one_or_none()


def successor(session: Session, slug):
    """The published article now imported from the file the unpublished article `slug` came from, or None.

    A slug changed in its file unpublishes the article under the old slug (`sync`); links to the
    old address, in bookmarks, search engines and old chat transcripts, lead to this one.
    """
    old = aliased(Article)
    return session.execute(
        select(Article)
        .join(old, old.source_path == Article.source_path)
        .where(old.slug == slug, old.status != "published", _PUBLISHED)
        .order_by(Article.id.desc())
    ).scalars().first()


def articles_by_id(session: Session, ids):
    """The published articles among `ids`, with their categories: {id: article}."""
    if not ids:
        return {}
    rows = session.execute(
        select(Article).where(Article.id.in_(ids), _PUBLISHED).options(selectinload(Article.category))
    ).scalars()
    return {row.id: row for row in rows}


def published_articles(session: Session):
    """Every published article with its category, by title (its listing columns; the body loads on access)."""
    listing = load_only(Article.slug, Article.title, Article.category_id, Article.updated_at)
    return (
        session.execute(
            select(Article)
            .where(_PUBLISHED)
            .options(listing, selectinload(Article.category))
            .order_by(Article.title)
        )
        .scalars()
        .all()
    )


_LISTED = load_only(Article.slug, Article.title, Article.summary, Article.category_id, Article.updated_at)


def categories(session: Session, top=3):
    """The categories that have published articles, by name, each with its count and `top` articles.

    Counted and ranked in the database: a page that shows the categories reads `top` articles of
    each, not every article.
    """
    counted = session.execute(
        select(Article.category_id, func.count(Article.id), func.max(Article.updated_at))
        .where(_PUBLISHED, Article.category_id.is_not(None))
        .group_by(Article.category_id)
    ).all()
    if not counted:
        return []
    position = func.row_number().over(partition_by=Article.category_id, order_by=(Article.title, Article.id))
    ranked = select(Article.id, position.label("position")).where(_PUBLISHED).subquery()
    firsts = session.execute(
        select(Article)
        .join(ranked, ranked.c.id == Article.id)
        .where(ranked.c.position <= top)
        .options(_LISTED)
        .order_by(Article.title, Article.id)
    ).scalars()
    tops = {}
    for row in firsts:
        tops.setdefault(row.category_id, []).append(row)
    names = {c.id: c for c in session.execute(select(Category).where(Category.id.in_(list(tops)))).scalars()}
    summaries = [
        CategorySummary(
            slug=names[category_id].slug,
            name=names[category_id].name,
            article_count=count,
            top_articles=tuple(tops[category_id]),
            updated_at=updated_at,
        )
        for category_id, count, updated_at in counted
    ]
    return sorted(summaries, key=lambda summary: summary.name.casefold())


def category(session: Session, slug):
    """The category `slug` and its published articles by title (their listing columns and summary);
    None when it has none (or is unknown)."""
    found = session.execute(select(Category).where(Category.slug == slug)).scalar_one_or_none()
    if found is None:
        return None
    rows = (
        session.execute(
            select(Article)
            .where(Article.category_id == found.id, _PUBLISHED)
            .options(_LISTED)
            .order_by(Article.title)
        )
        .scalars()
        .all()
    )
    return (found, rows) if rows else None


def most_viewed(session: Session, limit=6, now=None):
    """Published articles with the most `article_view` events in the last 30 days: [(article, views)]."""
    since = (now or utcnow()) - POPULAR_WINDOW
    views = func.count(Event.id).label("views")
    ranked = (
        select(Event.article_id, views)
        .where(Event.type == "article_view", Event.occurred_at >= since, Event.article_id.is_not(None))
        .group_by(Event.article_id)
        .subquery()
    )
    rows = session.execute(
        select(Article, ranked.c.views)
        .join(ranked, ranked.c.article_id == Article.id)
        .where(_PUBLISHED)
        .options(selectinload(Article.category))
        .order_by(ranked.c.views.desc(), Article.title)
        .limit(limit)
    ).all()
    return [(row, count) for row, count in rows]


def recently_updated(session: Session, limit=6):
    """The published articles updated last, newest first."""
    return (
        session.execute(
            select(Article)
            .where(_PUBLISHED)
            .options(selectinload(Article.category))
            .order_by(Article.updated_at.desc(), Article.title)
            .limit(limit)
        )
        .scalars()
        .all()
    )
