"""Flagged articles: text addressed to an AI is held back for a person to review.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("flag_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cleared_at", TIMESTAMP, nullable=True))
    # Articles already stored are checked now: otherwise a poisoned one stays quotable until its source is
    # ingested again. The live detector is used (regular expressions SQLite cannot run), so an old database
    # upgraded later is checked with the signs known then.
    from tandem.knowledge.injection import injection_reason

    articles = sa.table(
        "articles",
        sa.column("id", sa.String()),
        sa.column("title", sa.String()),
        sa.column("body", sa.Text()),
        sa.column("flag_reason", sa.Text()),
    )
    bind = op.get_bind()
    flagged = [
        {"match_id": row.id, "flag_reason": reason}
        for row in bind.execute(sa.select(articles.c.id, articles.c.title, articles.c.body))
        if (reason := injection_reason(f"{row.title}\n{row.body}")) is not None
    ]
    if flagged:
        bind.execute(
            articles.update().where(articles.c.id == sa.bindparam("match_id")),
            flagged,
        )


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("cleared_at")
        batch.drop_column("flag_reason")
