"""Bot messages keep only the sources the customer was shown.

Until now a reply stored every source the engine found and the widget hid
the weak ones (and all of a handoff's), so the agent console marked articles
"already sent" that the customer never saw, and the reports counted them as
suggested. Each stored reply now keeps what `decisions.shown_sources`
shows; a handoff offer, which shows none, no longer names a top article.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from kbbot.search.confidence import Action
from kbbot.support.decisions import shown_sources

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 1000

messages = sa.table(
    "messages",
    sa.column("id", sa.Integer),
    sa.column("role"),
    sa.column("action"),
    sa.column("sources", sa.JSON),
    sa.column("article_id", sa.Integer),
    sa.column("revision_id", sa.Integer),
)


def upgrade():
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(messages.c.id, messages.c.action, messages.c.sources)
            .where(messages.c.id > last, messages.c.role == "bot", messages.c.action.is_not(None))
            .order_by(messages.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            records = row.sources or []
            shown = shown_sources(row.action, records)
            if row.action == Action.HANDOFF:
                connection.execute(
                    messages.update()
                    .where(messages.c.id == row.id)
                    .values(sources=[], article_id=None, revision_id=None)
                )
            elif shown != records:
                connection.execute(messages.update().where(messages.c.id == row.id).values(sources=shown))
        last = rows[-1].id


def downgrade():
    pass  # the hidden sources were never shown; there is nothing to put back
