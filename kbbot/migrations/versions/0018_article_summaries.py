"""Articles store their summary, the plain text of their first paragraph, as lists show it.

A category page lists each of its articles with its summary; computed from the Markdown on each
view, it cost a Markdown parse per article per view (2.5 s for a category of 1,250 articles). It is
now computed when the article is saved, and here once for the articles saved before.

Revision ID: 0018
Revises: 0017
Create Date: 2027-01-12
"""

import sqlalchemy as sa
from alembic import op

from kbbot.articles.rendering import summary

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 500
ARTICLES = sa.table(
    "articles", sa.column("id", sa.Integer), sa.column("body", sa.Text), sa.column("summary", sa.Text)
)


def upgrade():
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    last = 0
    while rows := connection.execute(
        sa.select(ARTICLES.c.id, ARTICLES.c.body)
        .where(ARTICLES.c.id > last)
        .order_by(ARTICLES.c.id)
        .limit(BATCH)
    ).all():
        for article_id, body in rows:
            connection.execute(
                ARTICLES.update().where(ARTICLES.c.id == article_id).values(summary=summary(body or ""))
            )
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("summary")
