"""The Weaviate backend against a real Weaviate server, when WEAVIATE_URL points at one (else skipped).

    WEAVIATE_URL=http://localhost:8080 .venv/bin/pytest tests/adapters/test_weaviate_live.py -q
    (WEAVIATE_API_KEY if the server needs one; gRPC is expected on the same host, port 50051.)

Every run creates collections under its own random prefix and deletes them at the end, so runs never see
each other's data and a shared server is left as it was found.

Vectors come from the real `WordLlamaEmbedder` (weights ship in its wheel, no download). Only if that module
is missing does the test fall back to `HashingEmbedder` below: a deterministic bag-of-words hashing
embedder, enough for hybrid search to have a vector side whose similarities follow shared words.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest

from tandem.adapters.weaviate_backend import WeaviateKnowledge
from tandem.adapters.weaviate_connection import WeaviateImportError, WeaviateSchemaError, connect
from tandem.adapters.weaviate_schema import ArticleChunk, article_chunks
from tandem.knowledge.documents import Article, ResolvedTicket
from tandem.knowledge.interfaces import Embedder
from tandem.settings import Settings

pytestmark = pytest.mark.skipif(
    not os.environ.get("WEAVIATE_URL"), reason="WEAVIATE_URL is not set: no Weaviate server to test against"
)


class HashingEmbedder:
    """Deterministic stand-in embedder: each lower-cased word adds +-1 to a hashed dimension; unit length."""

    def __init__(self, dim: int = 256, name: str = "test-hashing") -> None:
        self.dim = dim
        self.name = name

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.sha256(word.encode()).digest()
            vector[int.from_bytes(digest[:4], "big") % self.dim] += 1.0 if digest[4] % 2 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def _embedder() -> Embedder:
    if importlib.util.find_spec("tandem.knowledge.embeddings") is not None:
        from tandem.knowledge.embeddings import WordLlamaEmbedder

        return WordLlamaEmbedder()
    return HashingEmbedder()


LIMITS = "## Limits\n\n" + "\n\n".join(
    f"Limit rule {i}: card payments abroad are limited to {i * 100} euros per day." for i in range(40)
)
ARTICLES = [
    Article(
        id="cards-pin",
        title="Reset your card PIN",
        body="## Reset the PIN\n\nOpen the app, choose Cards, then Reset PIN and confirm with your passcode.",
        product="cards",
        url="https://help.example/cards-pin",
        category="security",
        source="kb.jsonl",
    ),
    Article(
        id="loans-pin",
        title="Reset your loan portal PIN",
        body="## Reset the PIN\n\nOn the loan portal choose Settings, then Reset PIN.",
        product="loans",
    ),
    Article(
        id="general-pin",
        title="Forgot your PIN or password",
        body="If you forgot your PIN or password, reset it from the login screen.",
    ),
    Article(
        id="cards-fees",
        title="Card fees and limits",
        body=f"The card has no annual fee.\n\n## Fees\n\nForeign payments cost 1%.\n\n{LIMITS}",
        product="cards",
    ),
]
TICKETS = [
    ResolvedTicket(
        "t1", "Card blocked abroad", "My card was blocked in Spain", "Unblocked in the app", "cards"
    ),
    ResolvedTicket(
        "t2", "Card declined abroad", "My card is declined in France", "Raised the limit", "cards"
    ),
    ResolvedTicket("t3", "Loan repayment date", "Can I move my loan repayment date?", "Moved it", "loans"),
    ResolvedTicket("t4", "Card stolen abroad", "My card was stolen on holiday", "Blocked it", None),
]


def _chunks(articles: Sequence[Article]) -> list[ArticleChunk]:
    return [chunk for article in articles for chunk in article_chunks(article)]


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    client = connect(Settings())
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return _embedder()


@pytest.fixture(scope="module")
def run_prefix(client) -> Iterator[str]:
    prefix = f"Test{uuid.uuid4().hex[:10]}"
    yield prefix
    mine = [name for name in client.collections.list_all(simple=True) if name.startswith(prefix)]
    if mine:
        client.collections.delete(mine)


@pytest.fixture
def make(client, embedder, run_prefix) -> Callable[..., WeaviateKnowledge]:
    """Backends on collections of their own (per test), schema ensured."""
    test_prefix = f"{run_prefix}x{uuid.uuid4().hex[:6]}"

    def build(tenant: str | None = None, sub: str = "", **kwargs) -> WeaviateKnowledge:
        backend = WeaviateKnowledge(
            client,
            kwargs.pop("embedder", embedder),
            tenant=tenant,
            collection_prefix=test_prefix + sub,
            **kwargs,
        )
        backend.ensure_schema()
        return backend

    return build


def _count(client, name: str, tenant: str | None = None) -> int:
    collection = client.collections.get(name)
    if tenant:
        collection = collection.with_tenant(tenant)
    return int(collection.aggregate.over_all(total_count=True).total_count or 0)


def test_schema_is_created_once_and_checked(client, make) -> None:
    backend = make()
    backend.ensure_schema()  # idempotent
    for name in (backend.article_collection, backend.ticket_collection):
        config = client.collections.get(name).config.get()
        assert config.inverted_index_config.index_null_state is True
        assert config.multi_tenancy_config.enabled is False
    with pytest.raises(WeaviateSchemaError, match="embedder"):
        make(embedder=HashingEmbedder(dim=8, name="another-embedder"))
    with pytest.raises(WeaviateSchemaError, match="without multi-tenancy"):
        make(tenant="acme")


def test_hybrid_search_with_product_filter(make) -> None:
    backend = make()
    backend.import_articles(_chunks(ARTICLES))

    cards = backend.search_articles("reset my PIN", product="cards", limit=4)
    ids = [ref.id for ref in cards]
    assert "cards-pin" in ids[:2]
    assert "loans-pin" not in ids  # another product's article
    assert set(ids) <= {"cards-pin", "general-pin", "cards-fees"}  # this product's, or general ones
    assert len(ids) == len(set(ids))  # one result per article, however many chunks matched
    top = next(ref for ref in cards if ref.id == "cards-pin")
    assert (top.kind, top.title, top.url) == (
        "article",
        "Reset your card PIN",
        "https://help.example/cards-pin",
    )
    assert 0.0 < top.score <= 1.0 and "PIN" in top.snippet

    loans = [ref.id for ref in backend.search_articles("reset my PIN", product="loans", limit=4)]
    assert "loans-pin" in loans and not {"cards-pin", "cards-fees"} & set(loans)
    everything = [ref.id for ref in backend.search_articles("reset my PIN", product=None, limit=4)]
    assert {"cards-pin", "loans-pin"} <= set(everything)


def test_articles_are_rebuilt_from_their_chunks(make) -> None:
    backend = make()
    chunks = _chunks(ARTICLES)
    assert len([c for c in chunks if c.article_id == "cards-fees"]) >= 3
    backend.import_articles(chunks)

    found = backend.articles(["cards-fees", "cards-pin", "missing"])
    assert list(found) == ["cards-fees", "cards-pin"]
    fees = found["cards-fees"]
    assert fees.body.split() == ARTICLES[3].body.split()  # all chunks, in order
    assert (fees.title, fees.product, fees.url) == ("Card fees and limits", "cards", None)
    pin = found["cards-pin"]
    assert (pin.url, pin.category, pin.source) == ("https://help.example/cards-pin", "security", "kb.jsonl")


def test_reimport_overwrites_and_prunes_stale_chunks(client, make) -> None:
    backend = make()
    chunks = _chunks(ARTICLES)
    backend.import_articles(chunks)
    backend.import_articles(chunks)
    assert _count(client, backend.article_collection) == len(chunks)  # deterministic ids: no duplicates

    shorter = Article(id="cards-fees", title="Card fees", body="No fees at all.", product="cards")
    backend.import_articles(article_chunks(shorter))
    others = len([c for c in chunks if c.article_id != "cards-fees"])
    assert _count(client, backend.article_collection) == others + 1
    assert backend.articles(["cards-fees"])["cards-fees"].body == "No fees at all."

    assert backend.delete_articles(["cards-fees", "cards-pin"]) == 2
    assert backend.articles(["cards-fees", "cards-pin"]) == {}
    assert "cards-pin" not in [r.id for r in backend.search_articles("card PIN", product="cards", limit=4)]


def test_tenants_are_isolated(client, make) -> None:
    acme = make(tenant="acme", sub="mt")
    globex = make(tenant="globex", sub="mt")  # same collections: only the tenant is added
    acme.import_articles(_chunks(ARTICLES[:1]))
    globex.import_articles(_chunks(ARTICLES[1:2]))
    acme.import_tickets(TICKETS[:2])

    assert [r.id for r in acme.search_articles("reset PIN", product=None, limit=5)] == ["cards-pin"]
    assert [r.id for r in globex.search_articles("reset PIN", product=None, limit=5)] == ["loans-pin"]
    assert globex.articles(["cards-pin"]) == {}
    assert globex.similar_tickets("card blocked", category=None, limit=5) == []
    assert _count(client, acme.article_collection, "acme") == 1
    with pytest.raises(WeaviateSchemaError, match="no tenant"):
        make(sub="mt")


def test_similar_tickets_and_category(client, make) -> None:
    backend = make()
    backend.import_tickets(TICKETS)
    backend.import_tickets(TICKETS)
    assert _count(client, backend.ticket_collection) == len(TICKETS)

    cards = backend.similar_tickets("card blocked abroad", category="cards", limit=5)
    assert cards and {t.category for t in cards} == {"cards"}
    assert cards[0].ticket_id == "t1" and cards[0].resolution == "Unblocked in the app"

    excluded = backend.similar_tickets("card blocked abroad", category=None, limit=5, exclude_ticket_id="t1")
    assert "t1" not in [t.ticket_id for t in excluded] and excluded

    assert backend.predict_category("my card was blocked abroad") == "cards"
    assert backend.predict_category("move my loan repayment date", k=1) == "loans"


def test_failed_objects_are_reported(client, make) -> None:
    backend = make()
    backend.import_articles(_chunks(ARTICLES[:1]))
    # Same collections, vectors of the wrong length: the server rejects each object.
    wrong = WeaviateKnowledge(client, HashingEmbedder(dim=8), collection_prefix=backend.collection_prefix)
    with pytest.raises(WeaviateImportError, match=r"1 of 1 objects failed to import .*loans-pin#0"):
        wrong.import_articles(_chunks(ARTICLES[1:2]))


def test_ingest_mirror_writes_changes_and_deletes_removed_articles(make, tmp_path) -> None:
    from tandem.adapters.weaviate_sync import mirror_source
    from tandem.knowledge.ingest import ingest_path, source_label
    from tandem.store import TicketStore, create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'tandem.db'}")
    create_schema(engine)
    store = TicketStore(engine)
    backend = make()
    folder = tmp_path / "kb" / "cards"
    folder.mkdir(parents=True)
    (folder / "freeze.md").write_text("# Freezing a card\n\nTap Cards, then Freeze to stop payments.\n")
    (folder / "limits.md").write_text("# Card limits\n\nDaily ATM limit is 500.\n")
    source = source_label(tmp_path / "kb")
    ingest_path(store, tmp_path / "kb", progress=False)
    assert mirror_source(store, backend, source, set())[0] >= 2
    before = {a.id for a in store.list_articles(source=source)}
    (folder / "limits.md").unlink()
    ingest_path(store, tmp_path / "kb", progress=False)
    _, deleted = mirror_source(store, backend, source, before)
    assert deleted >= 1
    assert [r.id for r in backend.search_articles("freeze card payments", None, 5)] == ["cards/freeze"]
