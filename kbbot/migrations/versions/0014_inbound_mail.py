"""Customers' answers by email: the mails read from the support mailbox, and the Message-ID of each
reply emailed, which an answer names in In-Reply-To and References.

Emails sent before this revision have no Message-ID kept; answers to them are still matched by
the reply address's token or the thread's id.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbound_emails") as batch:
        batch.add_column(sa.Column("email_message_id", sa.String(length=255), nullable=True))
        batch.create_unique_constraint("outbound_emails_email_message_id_key", ["email_message_id"])
    op.create_table(
        "inbound_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("chat_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["chat_message_id"], ["messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_inbound_emails_received_at", "inbound_emails", ["received_at"])
    op.create_index("ix_inbound_emails_status", "inbound_emails", ["status"])
    op.create_index("ix_inbound_emails_conversation_id", "inbound_emails", ["conversation_id"])


def downgrade():
    op.drop_table("inbound_emails")
    with op.batch_alter_table("outbound_emails") as batch:
        batch.drop_constraint("outbound_emails_email_message_id_key", type_="unique")
        batch.drop_column("email_message_id")
