"""System of record: hand-off packages, AI events, reviews; first response, escalation and reopen facts.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("handoff_id", sa.String(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("package", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "handoff_id"),
    )

    op.create_table(
        "ai_events",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id", "kind", "event_id"),
    )
    op.create_index("ix_ai_events_kind_at", "ai_events", ["kind", "at"])
    op.create_index("ix_ai_events_at", "ai_events", ["at"])

    op.create_table(
        "reviews",
        sa.Column("ticket_id", sa.String(), nullable=False),
        sa.Column("review_id", sa.String(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("content_gap", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "review_id"),
    )
    op.create_index("ix_reviews_at", "reviews", ["at"])

    # Plain ADD COLUMN on both databases: nullable, or NOT NULL with a default that fills existing rows.
    op.add_column("tickets", sa.Column("first_response_at", TIMESTAMP, nullable=True))
    op.add_column("tickets", sa.Column("escalated_at", TIMESTAMP, nullable=True))
    op.add_column(
        "tickets", sa.Column("reopen_count", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )

    # Tickets escalated before this revision: their first escalation event says when.
    tickets = sa.table("tickets", sa.column("ticket_id"), sa.column("escalated_at"))
    events = sa.table("escalation_events", sa.column("ticket_id"), sa.column("at"))
    first_event = (
        sa.select(sa.func.min(events.c.at)).where(events.c.ticket_id == tickets.c.ticket_id).scalar_subquery()
    )
    op.execute(
        tickets.update()
        .where(tickets.c.escalated_at.is_(None))
        .where(sa.exists().where(events.c.ticket_id == tickets.c.ticket_id))
        .values(escalated_at=first_event)
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("reopen_count")
        batch.drop_column("escalated_at")
        batch.drop_column("first_response_at")
    op.drop_index("ix_reviews_at", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_ai_events_at", table_name="ai_events")
    op.drop_index("ix_ai_events_kind_at", table_name="ai_events")
    op.drop_table("ai_events")
    op.drop_table("handoffs")
