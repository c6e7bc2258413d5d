"""TicketStore.sync_articles: one source's articles replaced as a whole, in one transaction."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from tandem.knowledge.documents import Article
from tandem.store import ArticleSourceConflict, SyncCounts, TicketStore


def kb(*ids: str, source: str | None = None) -> list[Article]:
    return [
        Article(id=i, title=f"Title {i}", body=f"Body {i}.", product="cards", category="fees", source=source)
        for i in ids
    ]


def test_sync_adds_then_leaves_unchanged_articles_alone(store: TicketStore) -> None:
    empty = store.knowledge_version()
    assert store.sync_articles("kb", kb("a", "b")) == SyncCounts(added=2)
    loaded = store.knowledge_version()
    assert loaded != empty
    # source and category round-trip; the source is stamped on whatever the articles said
    assert store.list_articles() == kb("a", "b", source="kb")
    assert store.get_articles(["a"])["a"].category == "fees"

    assert store.sync_articles("kb", kb("a", "b")) == SyncCounts(unchanged=2)
    assert store.knowledge_version() == loaded


def test_sync_updates_adds_and_deletes_only_within_its_source(store: TicketStore) -> None:
    store.sync_articles("other", kb("x", "y"))
    store.sync_articles("kb", kb("a", "b", "c"))
    before = store.knowledge_version()
    a, _b, c = kb("a", "b", "c")

    counts = store.sync_articles("kb", [replace(a, body="New body."), c, *kb("d")])
    assert counts == SyncCounts(added=1, updated=1, unchanged=1, deleted=1)
    assert [x.id for x in store.list_articles(source="kb")] == ["a", "c", "d"]
    assert store.get_articles(["a"])["a"].body == "New body."
    assert store.list_articles(source="other") == kb("x", "y", source="other")
    assert store.knowledge_version() != before


def test_a_delete_alone_changes_the_knowledge_version(store: TicketStore) -> None:
    store.sync_articles("kb", kb("a", "b"))
    before = store.knowledge_version()
    assert store.sync_articles("kb", kb("a")) == SyncCounts(unchanged=1, deleted=1)
    assert store.knowledge_version() != before


def test_an_id_held_by_another_source_is_refused_and_nothing_is_written(store: TicketStore) -> None:
    store.sync_articles("other", kb("x"))
    store.sync_articles("kb", kb("a", "b"))
    before = (store.knowledge_version(), store.list_articles())

    with pytest.raises(ArticleSourceConflict) as err:
        # would also update a, delete b and add c: none of it may happen
        store.sync_articles("kb", [replace(kb("a")[0], body="changed"), *kb("c", "x")])
    assert err.value.conflicts == {"x": "other"}
    assert "'x' (held by source 'other')" in str(err.value) and "'kb'" in str(err.value)
    assert (store.knowledge_version(), store.list_articles()) == before


def test_unowned_articles_are_taken_over(store: TicketStore) -> None:
    store.upsert_articles(kb("a", "b"))  # stored without a source (as before sources existed)
    assert store.sync_articles("kb", kb("a")) == SyncCounts(updated=1)
    assert store.get_articles(["a", "b"]) == {"a": kb("a", source="kb")[0], "b": kb("b")[0]}


def test_duplicate_ids_in_one_sync_are_refused(store: TicketStore) -> None:
    store.sync_articles("kb", kb("a"))
    with pytest.raises(ValueError, match="duplicate article id 'b'"):
        store.sync_articles("kb", kb("b", "b"))
    assert [x.id for x in store.list_articles()] == ["a"]


def test_an_empty_sync_removes_the_source(store: TicketStore) -> None:
    store.sync_articles("kb", kb("a", "b"))
    store.sync_articles("other", kb("x"))
    assert store.sync_articles("kb", []) == SyncCounts(deleted=2)
    assert [x.id for x in store.list_articles()] == ["x"]


def test_concurrent_syncs_claiming_one_new_id_cannot_both_win(store: TicketStore) -> None:
    """The sync lock serialises writers: one source gets the id, the other is told who holds it."""
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def sync(source: str) -> None:
        start.wait()
        try:
            outcomes[source] = store.sync_articles(source, kb(f"{source}-own", "contested"))
        except Exception as exc:
            outcomes[source] = exc

    threads = [threading.Thread(target=sync, args=(source,)) for source in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [s for s, outcome in outcomes.items() if outcome == SyncCounts(added=2)]
    losers = [s for s, outcome in outcomes.items() if isinstance(outcome, ArticleSourceConflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert outcomes[losers[0]].conflicts == {"contested": winners[0]}  # type: ignore[union-attr]
    assert {x.id: x.source for x in store.list_articles()} == {
        f"{winners[0]}-own": winners[0],
        "contested": winners[0],
    }
