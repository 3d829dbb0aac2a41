"""Tags and alternate questions stored with a lone surrogate get U+FFFD in its place.

Before article fields were checked, a JSON request could store "\\udc80" in a
tag or an alternate question: the JSON columns keep the escape, but no page
can encode the value as UTF-8, so the article's editor page failed with a 500.
Each lone surrogate becomes the replacement character, which the editor shows
where something was lost; the rest of the value is kept.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import logging
import re

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 1000
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"
TABLES = [
    sa.table(name, sa.column("id", sa.Integer), sa.column("tags", sa.JSON), sa.column("questions", sa.JSON))
    for name in ("articles", "revisions")
]
log = logging.getLogger("kbbot.migrations")


def repaired(values):
    """`values` (a list of strings) with each lone surrogate replaced, or None when none has one."""
    if not any(isinstance(value, str) and LONE_SURROGATE.search(value) for value in values or ()):
        return None
    return [
        LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, value) if isinstance(value, str) else value
        for value in values
    ]


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        count, last = 0, 0
        while rows := connection.execute(
            sa.select(table.c.id, table.c.tags, table.c.questions)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all():
            for row in rows:
                changes = {
                    name: fixed
                    for name, values in (("tags", row.tags), ("questions", row.questions))
                    if (fixed := repaired(values)) is not None
                }
                if changes:
                    connection.execute(table.update().where(table.c.id == row.id).values(**changes))
                    count += 1
            last = rows[-1].id
        if count:
            log.warning("%s: replaced lone surrogates in the tags or questions of %d rows", table.name, count)


def downgrade():
    pass  # the surrogates were never valid text; nothing to put back
