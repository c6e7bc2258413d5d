"""The help-center half of the ticket store: articles, synced per source, held back while flagged.

A source is the file or folder `tandem ingest` read (tandem.knowledge.ingest); syncing it makes the store
hold exactly what it holds now, and removing it deletes all its articles, each in one transaction.

An article whose text addresses an AI (tandem.knowledge.injection) is stored with the reason, for a person
to review, and until they clear it, it is left out of everything the store hands out for answering:
`list_articles` (what the indexes are built from), `get_articles` (what replies quote) and so also what is
mirrored to Weaviate. `knowledge_version` changes whenever that set changes (a sync, a removal, a clearing),
so running indexes rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, case, delete, false, func, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tandem.knowledge.approved import APPROVED_SOURCE
from tandem.knowledge.documents import Article
from tandem.store import mapping
from tandem.store.base import StoreBase, chunked, stamp, table_of
from tandem.store.models import ArticleRow
from tandem.store.records import (
    ArticleSourceConflict,
    FlaggedArticle,
    SourceSummary,
    SyncCounts,
    UnknownArticleError,
    UnknownSourceError,
    UpsertCounts,
)
from tandem.store.types import utcnow

# pg_advisory_xact_lock key that serialises article writers ("tandem:a" as a 64-bit integer).
ARTICLES_LOCK_KEY = int.from_bytes(b"tandem:a", "big")


class _Held(NamedTuple):
    """What the store holds of an article a sync is about to write."""

    digest: str
    flag_reason: str | None
    cleared_at: datetime | None


def _not_approved_answers(source: str) -> None:
    """Approved answers are written and withdrawn one by one (tandem.store.answers), never as a source."""
    if source == APPROVED_SOURCE:
        raise ValueError(f"{source} holds approved answers: use `tandem answers withdraw` for each")


def _awaiting_review() -> ColumnElement[bool]:
    return and_(col(ArticleRow.flag_reason).is_not(None), col(ArticleRow.cleared_at).is_(None))


def _quotable() -> ColumnElement[bool]:
    """Articles the indexes may hold and replies may quote: never flagged, or cleared by a person, and not
    past their expiry."""
    return and_(
        or_(col(ArticleRow.flag_reason).is_(None), col(ArticleRow.cleared_at).is_not(None)),
        or_(col(ArticleRow.expires_at).is_(None), col(ArticleRow.expires_at) > utcnow()),
    )


class ArticleStore(StoreBase):
    def upsert_articles(self, articles: Iterable[Article]) -> UpsertCounts:
        """Adds or rewrites articles as given (their `source` too) and deletes nothing; files go through
        `sync_articles` instead, which scopes the write to the source they came from."""
        incoming = {item.id: item for item in articles}  # a repeated id: the last one wins
        now = utcnow()
        with self._session() as s:
            self._lock_articles(s)
            known = self._article_hashes(s, list(incoming))
            rows = [mapping.article_row(item, now) for item in incoming.values()]
            added = [row for row in rows if row["id"] not in known]
            changed = [row for row in rows if row["id"] in known and known[row["id"]] != row["content_hash"]]
            self._insert_many(s, self._dialect_insert(ArticleRow).on_conflict_do_nothing(), added)
            self._update_articles(s, changed)
            s.commit()
        return UpsertCounts(len(added), len(changed), len(rows) - len(added) - len(changed))

    def sync_articles(
        self, source: str, articles: Iterable[Article], *, flags: Mapping[str, str] | None = None
    ) -> SyncCounts:
        """Makes `source` hold exactly `articles`, in one transaction.

        Unchanged articles (same content hash) are not rewritten, changed ones are replaced, new ones are
        added, and articles the source held before that are missing now are deleted. Other sources are never
        touched: an id another source holds raises `ArticleSourceConflict` and nothing is written. Articles
        with no source (upserted directly, or stored before sources existed) are taken over. Every article is
        stored with `source`, whatever its own field says. An empty `articles` removes the whole source, so
        callers that read files must refuse to sync when they found nothing.

        `flags` maps the ids of articles that address an AI to the reason. New and changed articles are
        stored with their verdict and await review; an unchanged one takes the new verdict unless a person
        cleared it (it was stored before flags existed, or the signs changed since), counted as updated.
        """
        if not source:
            raise ValueError("sync_articles needs a non-empty source")
        _not_approved_answers(source)
        incoming: dict[str, Article] = {}
        for item in articles:
            if item.id in incoming:
                raise ValueError(f"duplicate article id {item.id!r} in source {source!r}")
            incoming[item.id] = replace(item, source=source)
        now = utcnow()
        flags = flags or {}
        rows = [mapping.article_row(item, now, flags.get(item.id)) for item in incoming.values()]
        state = (ArticleRow.id, ArticleRow.content_hash, ArticleRow.flag_reason, ArticleRow.cleared_at)
        with self._session() as s:
            self._lock_articles(s)
            held_stmt = select(*state).where(col(ArticleRow.source) == source)
            known = {item_id: _Held(*rest) for item_id, *rest in s.exec(held_stmt).all()}
            gone = [item_id for item_id in known if item_id not in incoming]
            conflicts: dict[str, str] = {}
            for chunk in chunked([item_id for item_id in incoming if item_id not in known]):
                stmt = select(ArticleRow.source, *state).where(col(ArticleRow.id).in_(chunk))
                for owner, item_id, *rest in s.exec(stmt):
                    if owner is None:
                        known[item_id] = _Held(*rest)  # unowned: this source takes it over
                    else:
                        conflicts[item_id] = owner
            if conflicts:
                raise ArticleSourceConflict(source, conflicts)  # the session rolls back: nothing written
            added: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            reflagged: list[dict[str, Any]] = []
            for row in rows:
                held = known.get(row["id"])
                if held is None:
                    added.append(row)
                elif held.digest != row["content_hash"]:
                    changed.append(row)
                elif held.cleared_at is None and held.flag_reason != row["flag_reason"]:
                    reflagged.append(row)
            for chunk in chunked(gone):
                s.exec(delete(ArticleRow).where(col(ArticleRow.id).in_(chunk)))
            self._insert_many(s, self._dialect_insert(ArticleRow), added)
            self._update_articles(s, changed + reflagged)
            s.commit()
        updated = len(changed) + len(reflagged)
        unchanged = len(rows) - len(added) - updated
        return SyncCounts(added=len(added), updated=updated, unchanged=unchanged, deleted=len(gone))

    def remove_source(self, source: str) -> int:
        """Deletes every article of `source` (flagged ones too) in one transaction; returns how many.

        Raises UnknownSourceError, changing nothing, when the store holds no article of that source."""
        _not_approved_answers(source)
        with self._session() as s:
            self._lock_articles(s)
            removed = s.exec(delete(ArticleRow).where(col(ArticleRow.source) == source)).rowcount
            if not removed:
                raise UnknownSourceError(source)
            s.commit()
        return removed

    def delete_articles(self, ids: Iterable[str]) -> int:
        deleted = 0
        with self._session() as s:
            for chunk in chunked(list(ids)):
                deleted += s.exec(delete(ArticleRow).where(col(ArticleRow.id).in_(chunk))).rowcount
            s.commit()
        return deleted

    def list_articles(
        self, product: str | None = None, *, source: str | None = None, include_flagged: bool = False
    ) -> list[Article]:
        """Articles by id, of one product or source; those awaiting review only with `include_flagged`."""
        stmt = select(ArticleRow).order_by(col(ArticleRow.id))
        if product is not None:
            stmt = stmt.where(col(ArticleRow.product) == product)
        if source is not None:
            stmt = stmt.where(col(ArticleRow.source) == source)
        if not include_flagged:
            stmt = stmt.where(_quotable())
        with self._session() as s:
            return [mapping.article(row) for row in s.exec(stmt)]

    def get_articles(self, ids: Iterable[str]) -> dict[str, Article]:
        """The quotable articles among `ids`: unknown and flagged ones are left out."""
        found: dict[str, Article] = {}
        with self._session() as s:
            for chunk in chunked(list(ids)):
                rows = s.exec(select(ArticleRow).where(col(ArticleRow.id).in_(chunk), _quotable()))
                found.update((row.id, mapping.article(row)) for row in rows)
        return found

    def knowledge_version(self) -> str:
        """Changes whenever an article is added, changed, deleted, flagged, cleared or expires; one
        aggregate."""
        awaiting = func.coalesce(func.sum(case((_awaiting_review(), 1), else_=0)), 0)
        expired = func.coalesce(func.sum(case((col(ArticleRow.expires_at) <= utcnow(), 1), else_=0)), 0)
        stmt = select(
            func.count(),
            func.coalesce(func.sum(ArticleRow.hash_key), 0),
            func.max(ArticleRow.updated_at),
            awaiting,
            expired,
        ).select_from(ArticleRow)
        with self._session() as s:
            count, key_sum, newest, flagged, gone = s.exec(stmt).one()
        return f"{count}:{key_sum}:{stamp(newest)}:{flagged}:{gone}"

    # --- review ----------------------------------------------------------------------------------------

    def flagged_articles(self, source: str | None = None) -> list[FlaggedArticle]:
        """Articles awaiting a person's review (of one source), by source and id."""
        stmt = (
            select(ArticleRow.id, ArticleRow.title, ArticleRow.source, ArticleRow.flag_reason)
            .add_columns(ArticleRow.updated_at)
            .where(_awaiting_review())
            .order_by(col(ArticleRow.source), col(ArticleRow.id))
        )
        if source is not None:
            stmt = stmt.where(col(ArticleRow.source) == source)
        with self._session() as s:
            return [FlaggedArticle(*row) for row in s.exec(stmt)]

    def clear_flag(self, article_id: str) -> bool:
        """A person has reviewed the article: from now on it is indexed and quotable (until its content
        changes). Returns False when it was not awaiting review; raises UnknownArticleError."""
        with self._session() as s:
            self._lock_articles(s)
            row = s.get(ArticleRow, article_id)
            if row is None:
                raise UnknownArticleError(article_id)
            if row.flag_reason is None or row.cleared_at is not None:
                return False
            now = utcnow()
            row.cleared_at = now
            row.updated_at = now  # with the flagged count, moves knowledge_version
            s.add(row)
            s.commit()
        return True

    def article_sources(self) -> list[SourceSummary]:
        """Every source the store holds articles of, with counts and its flagged articles; articles
        upserted without a source come last, as source None."""
        internal = func.coalesce(func.sum(case((col(ArticleRow.internal) == true(), 1), else_=0)), 0)
        newest = func.max(ArticleRow.updated_at)
        stmt = select(ArticleRow.source, func.count(), internal, newest).group_by(col(ArticleRow.source))
        with self._session() as s:
            rows = s.exec(stmt).all()
        flagged: dict[str | None, list[FlaggedArticle]] = {}
        for item in self.flagged_articles():
            flagged.setdefault(item.source, []).append(item)
        summaries = [
            SourceSummary(source, int(count), int(n_internal), tuple(flagged.get(source, ())), updated_at)
            for source, count, n_internal, updated_at in rows
        ]
        return sorted(summaries, key=lambda x: (x.source is None, x.source or ""))

    # --- helpers ---------------------------------------------------------------------------------------

    def _lock_articles(self, s: Session) -> None:
        """Serialises knowledge writers until the transaction ends, so what a writer read still holds when
        it writes (two ingests of one source, or two sources claiming one new id)."""
        if self._engine.dialect.name == "postgresql":
            s.exec(sa_select(func.pg_advisory_xact_lock(ARTICLES_LOCK_KEY)))
        else:
            # SQLite: the first write statement opens the transaction and takes the database's write lock
            # (waiting up to busy_timeout); this one matches no rows.
            s.exec(delete(ArticleRow).where(false()))

    @staticmethod
    def _update_articles(s: Session, rows: list[dict[str, Any]]) -> None:
        """Rewrites whole article rows by id, as one executemany."""
        if not rows:
            return
        table = table_of(ArticleRow)
        stmt = update(table).where(table.c.id == bindparam("match_id"))
        s.connection().execute(stmt, [{**row, "match_id": row["id"]} for row in rows])

    @staticmethod
    def _article_hashes(s: Session, ids: list[str]) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for chunk in chunked(ids):
            stmt = select(ArticleRow.id, ArticleRow.content_hash).where(col(ArticleRow.id).in_(chunk))
            hashes.update(s.exec(stmt).all())
        return hashes
