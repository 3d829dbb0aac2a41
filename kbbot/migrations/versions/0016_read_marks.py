"""Read marks: the last message of a handoff's conversation each agent had on screen.

The agent workspace opens a handoff at the first message the agent has not seen, with a "New messages"
divider, and the queue marks the handoffs with messages new to them. Agents start with no marks: every
handoff opens at the top, as before.

Revision ID: 0016
Revises: 0015
Create Date: 2027-01-17
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "read_marks",
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("handoff_id", "user_id"),
    )


def downgrade():
    op.drop_table("read_marks")
