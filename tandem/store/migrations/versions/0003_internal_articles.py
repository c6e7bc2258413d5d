"""Internal articles: procedures written for agents, never quoted to customers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# Articles already stored get what their title says (tandem.knowledge.audience's markers); without this, an
# upgraded help center would quote its agent procedures to customers until every source is re-ingested.
_TITLE_MARKERS = ("internal:%", "internal -%", "%(internal)%", "%[internal]%", "%(internal only)%")


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("internal", sa.Boolean(), nullable=False, server_default=sa.false()))
    articles = sa.table("articles", sa.column("title", sa.String()), sa.column("internal", sa.Boolean()))
    title = sa.func.lower(sa.func.trim(articles.c.title))
    op.execute(
        articles.update()
        .where(sa.or_(*(title.like(marker) for marker in _TITLE_MARKERS)))
        .values(internal=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("internal")
