"""The knowledge-base state records which chunking its articles were cut with.

Chunks are derived from the articles by `kbbot.search.chunking` and stored; when a
release cuts articles differently, `articles.rechunk_outdated` cuts them again
at its first start. Databases from before this revision record no version, so
theirs are checked once. The single state row is created here, so processes
starting together never race to insert it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("kb_state", sa.Column("chunking_version", sa.Integer, nullable=True))
    op.execute("INSERT INTO kb_state (id, generation) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM kb_state)")


def downgrade():
    op.drop_column("kb_state", "chunking_version")
