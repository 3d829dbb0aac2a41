"""Saved replies (macros): shared with the team (no owner) or an agent's own, and a log of their uses.

A use is a row per sent reply that used one, so uses are counted by period;
it outlives the message (SET NULL) when a conversation is erased or purged.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("shortcut", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "shortcut"),
    )
    op.create_index("ix_saved_replies_owner_id", "saved_replies", ["owner_id"])
    op.create_table(
        "saved_reply_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("saved_reply_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["saved_reply_id"], ["saved_replies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_saved_reply_uses_reply_at", "saved_reply_uses", ["saved_reply_id", "used_at"])


def downgrade():
    op.drop_table("saved_reply_uses")
    op.drop_table("saved_replies")
