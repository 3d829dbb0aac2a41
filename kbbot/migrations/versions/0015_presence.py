"""Presence: agents' online/away choice and heartbeats, the handoff each has open, and customers typing.

`agent_presence` holds one row per agent (overwritten by their staff pages' heartbeats; round-robin
assignment's rotation order in `last_assigned_at`); `customer_typing` one row per conversation whose
customer typed in the widget. Neither is part of the transcript or the event log.

Revision ID: 0015
Revises: 0014
Create Date: 2027-01-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agent_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("has_draft", sa.Boolean(), nullable=False),
        sa.Column("typed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "customer_typing",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("typed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id"),
    )


def downgrade():
    op.drop_table("customer_typing")
    op.drop_table("agent_presence")
