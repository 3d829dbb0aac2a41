"""Handoff triage: tags and a priority on handoffs, and SLA targets (kbbot/support/sla.py).

Tags are a table of normalized names joined to handoffs; `priority` is low, normal, high or urgent;
`waiting_since`, `awaited` and `reply_due_at` hold the customer's current wait for an agent and when
its target falls due (indexed: the queue sorts by it); `reply_targets` keeps each target that ended,
met or breached, for the reports. Handoffs still waiting for their first reply start waiting from
when they were handed off; their due time comes with the next change, since the targets are settings.

Revision ID: 0013
Revises: 0012
Create Date: 2027-01-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("priority", sa.String(10), nullable=False, server_default="normal"))
        batch.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("awaited", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reply_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_handoffs_priority", ["priority"])
        batch.create_index("ix_handoffs_reply_due_at", ["reply_due_at"])
    op.execute(
        "UPDATE handoffs SET waiting_since = created_at, awaited = 'first_reply'"
        " WHERE status != 'resolved' AND first_reply_at IS NULL"
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "handoff_tags",
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("handoff_id", "tag_id"),
    )
    op.create_index("ix_handoff_tags_tag_id", "handoff_tags", ["tag_id"])
    op.create_table(
        "reply_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("awaited", sa.String(20), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reply_targets_handoff_id", "reply_targets", ["handoff_id"])
    op.create_index("ix_reply_targets_ended_at", "reply_targets", ["ended_at"])


def downgrade():
    op.drop_table("reply_targets")
    op.drop_table("handoff_tags")
    op.drop_table("tags")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_index("ix_handoffs_reply_due_at")
        batch.drop_index("ix_handoffs_priority")
        for column in ("reply_due_at", "awaited", "waiting_since", "priority"):
            batch.drop_column(column)
