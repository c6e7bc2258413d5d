"""Approved answers (a support team's reusable answers), articles that expire, review verdicts with the
facts a right answer states, and simulated tickets marked as such.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("expires_at", TIMESTAMP, nullable=True))
    op.create_table(
        "approved_answers",
        sa.Column("answer_id", sa.String(), primary_key=True),
        sa.Column("article_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("product", sa.String(), nullable=True),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("from_ticket_id", sa.String(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("withdrawn_at", TIMESTAMP, nullable=True),
        sa.Column("withdrawn_by", sa.String(), nullable=True),
    )
    op.create_index("ix_approved_answers_article_id", "approved_answers", ["article_id"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("simulated", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_tickets_simulated", ["simulated"])
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("must", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("must_not", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("must_not")
        batch.drop_column("must")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_simulated")
        batch.drop_column("simulated")
    op.drop_index("ix_approved_answers_article_id", table_name="approved_answers")
    op.drop_table("approved_answers")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("expires_at")
