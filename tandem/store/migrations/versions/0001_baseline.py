"""Baseline: the schema Tandem created with create_all before it had migrations.

Every table and index is created IF NOT EXISTS, so this revision also adopts a database an older Tandem
made (see tandem.store.migrate): whatever that version lacked is added, what it has is left alone.
Frozen: never edit it; change the schema in a new revision.

Revision ID: 0001
Revises:
Create Date: 2025-06-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("product", sa.String(), nullable=True),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("resolution_text", sa.Text(), nullable=True),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("hash_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
        if_not_exists=True,
    )
    op.create_index("ix_tickets_customer_id", "tickets", ["customer_id"], if_not_exists=True)
    op.create_index("ix_tickets_opened_at", "tickets", ["opened_at"], if_not_exists=True)
    op.create_index("ix_tickets_state", "tickets", ["state"], if_not_exists=True)

    op.create_table(
        "messages",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("author_name", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "message_id"),
        if_not_exists=True,
    )
    op.create_index("ix_messages_ticket_order", "messages", ["ticket_id", "at", "seq"], if_not_exists=True)

    op.create_table(
        "escalation_events",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "event_id"),
        if_not_exists=True,
    )

    op.create_table(
        "csat_responses",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
        if_not_exists=True,
    )

    op.create_table(
        "articles",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("product", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("hash_key", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_articles_product", "articles", ["product"], if_not_exists=True)
    op.create_index("ix_articles_source", "articles", ["source"], if_not_exists=True)

    op.create_table(
        "resolved_tickets",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("hash_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in ("resolved_tickets", "articles", "csat_responses", "escalation_events", "messages"):
        op.drop_table(table)
    op.drop_table("tickets")
