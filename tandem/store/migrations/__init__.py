"""Alembic scripts of the ticket store (env.py, versions/). Run them with `tandem.store.create_schema`;
write a new revision with `python -m tandem.store.migrations revision "what changed"`."""
