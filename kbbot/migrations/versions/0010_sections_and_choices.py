"""Bot messages keep the section they answered from and the choices they offered.

An answer now quotes one section of an article: the message records its
heading and anchor and the section's confidence beside the article's. A
suggestion offers choices (sections of one article, or articles with their
best section) that the customer can pick; a customer message that is such a
pick records which one, so reports count it as a self-service path.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("messages", sa.Column("section", sa.String(500), nullable=True))
    op.add_column("messages", sa.Column("anchor", sa.String(300), nullable=True))
    op.add_column("messages", sa.Column("section_confidence", sa.Float, nullable=True))
    op.add_column("messages", sa.Column("choices", sa.JSON, nullable=True))
    op.add_column("messages", sa.Column("choice", sa.JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("messages") as batch:
        for column in ("choice", "choices", "section_confidence", "anchor", "section"):
            batch.drop_column(column)
