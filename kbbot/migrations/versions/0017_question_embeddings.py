"""Question embeddings: each content-gap question embedded once per model, not at every report.

Derived data (kbbot/search/question_embeddings.py), keyed by the model and the SHA-256 of the
question's normalized text; emptying the table only costs embedding them again.

Revision ID: 0017
Revises: 0016
Create Date: 2027-01-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "question_embeddings",
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("model", "text_hash"),
    )


def downgrade():
    op.drop_table("question_embeddings")
