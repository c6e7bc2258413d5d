"""KnowledgeService over a real SQLite store: the embedded KnowledgeBackend the worker uses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tandem.knowledge.documents import ResolvedTicket
from tandem.knowledge.embeddings import default_embedder
from tandem.knowledge.interfaces import KnowledgeBackend
from tandem.knowledge.loaders import load_articles_jsonl, load_tickets_jsonl
from tandem.knowledge.service import KnowledgeService
from tandem.settings import Settings
from tandem.store import TicketStore, create_schema, make_engine

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def store(tmp_path: Path) -> TicketStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    store.upsert_articles(load_articles_jsonl(DATA / "helpcenter" / "rho_bank" / "kb.jsonl")[:120])
    store.import_resolved_tickets(load_tickets_jsonl(DATA / "tickets" / "bitext" / "tickets.jsonl")[:600])
    return store


def test_implements_the_backend_protocol(store: TicketStore, tmp_path: Path) -> None:
    service: KnowledgeBackend = KnowledgeService(store, default_embedder(), tmp_path / "index")
    refs = service.search_articles("How do I open a personal checking account?", None, 3)
    assert refs and refs[0].title == "Internal: Opening Personal Checking Accounts"
    assert set(service.articles([r.id for r in refs])) == {r.id for r in refs}
    similar = service.similar_tickets("I want to cancel my order", None, 3)
    assert len(similar) == 3 and all(t.resolution for t in similar)
    assert service.predict_category("I want to cancel my order") == similar[0].category == "cancel_order"


def test_rebuilds_on_store_changes_and_reuses_persisted_embeddings(
    store: TicketStore, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    service = KnowledgeService(store, default_embedder(), index_dir)
    first = service.article_index()
    assert first.stats.embedded == first.stats.chunks
    assert service.article_index() is first  # unchanged store: the same index

    article = store.list_articles()[0]
    store.upsert_articles([replace(article, body=article.body + "\n\n## Zebra clause\n\nZebra stripes.")])
    second = service.article_index()
    assert second is not first and second.stats.embedded == 1
    assert service.search_articles("zebra stripes", limit=1)[0].id == article.id

    store.import_resolved_tickets([ResolvedTicket("new-1", "zebra", "my zebra got lost", "found", "zebra")])
    assert service.similar_tickets("zebra lost", limit=1)[0].ticket_id == "new-1"

    restarted = KnowledgeService(store, default_embedder(), index_dir)  # a worker restart
    restarted.warm()
    assert restarted.article_index().stats.embedded == 0
    assert restarted.ticket_index().stats.embedded == 0


def test_from_settings_uses_the_index_dir(store: TicketStore, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data").model_copy(update={"embedder": "wordllama"})
    service = KnowledgeService.from_settings(store, settings)
    service.warm()
    assert sorted(p.name.split("-")[0] for p in settings.index_dir.glob("*.npz")) == ["articles", "tickets"]


def test_default_constructor_still_works(store: TicketStore) -> None:
    # worker.py builds KnowledgeService(store) until it is wired to settings: WordLlama, in memory.
    service = KnowledgeService(store)
    assert service.search_articles("close a checking account", product="bank_accounts", limit=2)


def test_a_version_stamp_is_trusted_for_the_ttl_then_read_again(
    store: TicketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr("tandem.knowledge.service.time.monotonic", lambda: clock[0])
    service = KnowledgeService(store, default_embedder(), tmp_path / "index", version_ttl=1.0)
    first = service.article_index()
    article = store.list_articles()[0]
    store.upsert_articles([replace(article, body=article.body + "\n\n## Zebra clause\n\nZebra stripes.")])

    clock[0] += 0.5
    assert service.article_index() is first  # within the TTL the stamp is not read again
    clock[0] += 0.6
    assert service.article_index() is not first  # after it, the change is seen
    assert service.search_articles("zebra stripes", limit=1)[0].id == article.id


def test_from_settings_takes_the_version_ttl(store: TicketStore, tmp_path: Path) -> None:
    service = KnowledgeService.from_settings(store, Settings(data_dir=tmp_path, knowledge_version_ttl_s=0))
    first = service.article_index()
    article = store.list_articles()[0]
    store.upsert_articles([replace(article, body=article.body + "\n\n## Zebra clause\n\nZebra stripes.")])
    assert service.article_index() is not first  # TTL 0: every call reads the stamp


def test_a_restarted_worker_loads_its_indexes_instead_of_rebuilding_them(
    store: TicketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    built = KnowledgeService(store, default_embedder(), index_dir)
    question = "How do I open a personal checking account?"
    expected = built.search_articles(question, None, 3)
    expected_tickets = built.similar_tickets("I want to cancel my order", None, 3)

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt instead of loaded")

    with monkeypatch.context() as patched:
        patched.setattr("tandem.knowledge.service.HybridArticleIndex", no_rebuild)
        patched.setattr("tandem.knowledge.service.TicketIndex", no_rebuild)
        restarted = KnowledgeService(store, default_embedder(), index_dir)
        assert restarted.search_articles(question, None, 3) == expected
        assert restarted.similar_tickets("I want to cancel my order", None, 3) == expected_tickets
        assert restarted.article_index().stats.embedded == 0
    snapshots = sorted(p.name.split("-")[0] for p in (index_dir / "snapshots").glob("*.pickle"))
    assert snapshots == ["articles", "tickets"]

    article = store.list_articles()[0]  # a changed help center is never served from the old snapshot
    store.upsert_articles([replace(article, body=article.body + "\n\n## Zebra clause\n\nZebra stripes.")])
    changed = KnowledgeService(store, default_embedder(), index_dir)
    assert changed.search_articles("zebra stripes", limit=1)[0].id == article.id

    for snapshot in (index_dir / "snapshots").glob("*.pickle"):  # torn files: rebuilt, not a failed worker
        snapshot.write_bytes(b"not a pickle")
    torn = KnowledgeService(store, default_embedder(), index_dir)
    assert torn.search_articles("zebra stripes", limit=1)[0].id == article.id
