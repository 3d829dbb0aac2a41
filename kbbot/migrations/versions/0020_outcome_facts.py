"""Each conversation's outcome facts, for the reports (`conversation_facts`), backfilled; and an index
on `conversations.last_message_at` (a report reads the conversations that went on into its period).

The reports read one row per conversation instead of every message (issue 22); the app keeps the
rows current as conversations change (kbbot/support/outcome_facts.py). The existing conversations'
facts are worked out here by the same code from their messages, votes and handoffs, so a report on
an upgraded database gives the numbers it gave before.

Revision ID: 0020
Revises: 0019
Create Date: 2027-02-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from kbbot.support import outcome_facts

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversation_facts",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("customer_messages", sa.Integer(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_index("ix_conversations_last_message_at", "conversations", ["last_message_at"])
    with Session(bind=op.get_bind()) as session:
        outcome_facts.backfill(session)
        session.flush()


def downgrade():
    op.drop_table("conversation_facts")
    op.drop_index("ix_conversations_last_message_at", table_name="conversations")
