"""Index the keys the reports look votes and log entries up by.

The report's votes are found by their message (`feedback.message_id`) and the gap questions agents
named by their handoff (`events.handoff_id`); without an index, PostgreSQL read the whole vote table
once per bot message at 100,000 conversations, and deleting a conversation (`kbbot erase`) read the
whole event log once for each of its keys, to clear them.

Revision ID: 0019
Revises: 0018
Create Date: 2027-01-20
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_feedback_message_id", "feedback", "message_id"),
    ("ix_events_conversation_id", "events", "conversation_id"),
    ("ix_events_message_id", "events", "message_id"),
    ("ix_events_handoff_id", "events", "handoff_id"),
)


def upgrade():
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade():
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
