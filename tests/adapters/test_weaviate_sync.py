"""Mirroring an ingested source into Weaviate: what is written and what is deleted.

No Weaviate server runs here, so the mirror target is a small recording stand-in with the backend's write
methods; tests/adapters/test_weaviate_live.py runs the same mirror against a real server (WEAVIATE_URL).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tandem.adapters.weaviate_schema import ArticleChunk
from tandem.adapters.weaviate_sync import mirror_answers, mirror_source
from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.ingest import ingest_path
from tandem.store import TicketStore, create_schema, make_engine


class RecordingMirror:
    def __init__(self) -> None:
        self.chunks: list[ArticleChunk] = []
        self.deleted: list[str] = []

    def import_articles(self, chunks: Iterable[ArticleChunk]) -> int:
        written = list(chunks)
        self.chunks.extend(written)
        return len(written)

    def delete_articles(self, article_ids: Iterable[str]) -> int:
        ids = sorted(article_ids)
        self.deleted.extend(ids)
        return len(ids)

    def import_tickets(self, tickets: Iterable[ResolvedTicket]) -> int:
        return len(list(tickets))


def test_mirror_writes_the_source_as_it_is_and_deletes_what_the_sync_removed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    folder = tmp_path / "kb" / "cards"
    folder.mkdir(parents=True)
    (folder / "freeze.md").write_text("# Freezing a card\n\nTap Cards, then Freeze.\n")
    (folder / "limits.md").write_text("# Card limits\n\nDaily ATM limit is 500.\n")
    first = ingest_path(store, tmp_path / "kb", progress=False)
    before = {a.id for a in store.list_articles(source=first.source)}
    (folder / "limits.md").unlink()
    second = ingest_path(store, tmp_path / "kb", progress=False)

    mirror = RecordingMirror()
    written, deleted = mirror_source(store, mirror, second.source, before)

    assert {c.article_id for c in mirror.chunks} == {"cards/freeze"} and written == len(mirror.chunks)
    assert mirror.deleted == ["cards/limits"] and deleted == 1


def test_weaviate_holds_exactly_the_active_approved_answers(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    kept = store.approve_answer(title="Pausing a plan", body="Pause it from the Plans tab.", owner="ana")
    gone = store.approve_answer(title="Old offer", body="The spring offer ends in May.", owner="ana")
    store.withdraw_answer(gone.answer_id, "ana")

    mirror = RecordingMirror()
    written, deleted = mirror_answers(store, mirror)

    assert {c.article_id for c in mirror.chunks} == {f"answer/{kept.answer_id}"} and written == len(
        mirror.chunks
    )
    assert mirror.deleted == [f"answer/{gone.answer_id}"] and deleted == 1
    assert all(c.category == "approved-answer" for c in mirror.chunks)
