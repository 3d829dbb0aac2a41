"""Category slugs transliterate every script, and articles filed in the wrong category go back to theirs.

Slugs used to keep ASCII letters only: "Café" became "caf", and every name
without a Latin letter ("Счета", "Платежи") became "general", so all such
categories were one, named after the first. Each category now gets the slug
of its name (`articles.category_slug`), unless another category holds it, and
each article goes back to the category its current revision names.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from kbbot.articles.source import category_slug

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

categories = sa.table("categories", sa.column("id", sa.Integer), sa.column("slug"), sa.column("name"))
articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("category_id", sa.Integer))
revisions = sa.table(
    "revisions",
    sa.column("article_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("category_name"),
)


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(categories.c.id, categories.c.slug, categories.c.name)).all()
    slugs = {row.slug: row.id for row in rows}
    for row in rows:
        slug = category_slug(row.name)
        if slug != row.slug and slug not in slugs:
            connection.execute(categories.update().where(categories.c.id == row.id).values(slug=slug))
            slugs[slug] = slugs.pop(row.slug)

    latest = (
        sa.select(revisions.c.article_id, sa.func.max(revisions.c.number).label("number"))
        .group_by(revisions.c.article_id)
        .subquery()
    )
    filed = connection.execute(
        sa.select(articles.c.id, articles.c.category_id, revisions.c.category_name)
        .join(latest, latest.c.article_id == articles.c.id)
        .join(
            revisions,
            (revisions.c.article_id == latest.c.article_id) & (revisions.c.number == latest.c.number),
        )
        .where(revisions.c.category_name.is_not(None))
    ).all()
    for article in filed:
        slug = category_slug(article.category_name)
        if slug not in slugs:
            slugs[slug] = connection.execute(
                categories.insert().values(slug=slug, name=article.category_name).returning(categories.c.id)
            ).scalar_one()
        if article.category_id != slugs[slug]:
            connection.execute(
                articles.update().where(articles.c.id == article.id).values(category_id=slugs[slug])
            )


def downgrade():
    pass  # the old slugs merged categories; there is nothing to go back to
