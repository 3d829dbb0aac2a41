"""Agents' internal notes on handoffs, and who saved each article revision.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notes") as batch_op:
        batch_op.create_index("ix_notes_handoff_id", ["handoff_id"])
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_revisions_author_id_users", "users", ["author_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.drop_constraint("fk_revisions_author_id_users", type_="foreignkey")
        batch_op.drop_column("author_id")
    op.drop_table("notes")
