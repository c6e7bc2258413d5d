"""Connecting to Weaviate and checking its collections: the client for a deployment's settings, the errors
the backend raises, and why an existing collection cannot serve it (`tandem.adapters.weaviate_backend`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import weaviate
from weaviate.classes.init import AdditionalConfig, Auth, Timeout

from tandem.adapters import weaviate_queries as q
from tandem.adapters.weaviate_schema import tagged_embedder

if TYPE_CHECKING:
    from tandem.knowledge.interfaces import Embedder
    from tandem.settings import Settings

FAILURES_SHOWN = 5
# Connect fast, allow slow imports: embedding is done before sending, but big batches still take time.
DEFAULT_TIMEOUT = Timeout(init=10, query=30, insert=120)


class WeaviateSchemaError(RuntimeError):
    """An existing collection does not match what this backend needs (tenancy, null index, embedder)."""


class WeaviateImportError(RuntimeError):
    """Some objects of a batch import were rejected; `failures` holds (record id, server message) pairs."""

    def __init__(self, collection: str, total: int, failures: list[tuple[str, str]]) -> None:
        self.collection = collection
        self.failures = failures
        shown = "; ".join(f"{key}: {message}" for key, message in failures[:FAILURES_SHOWN])
        more = f" (and {len(failures) - FAILURES_SHOWN} more)" if len(failures) > FAILURES_SHOWN else ""
        super().__init__(
            f"{len(failures)} of {total} objects failed to import into {collection}: {shown}{more}"
        )


def connect(
    settings: Settings,
    *,
    grpc_host: str | None = None,
    grpc_port: int | None = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> weaviate.WeaviateClient:
    """A connected client for `settings.weaviate_url` (+ `weaviate_api_key`); the caller closes it.

    Weaviate Cloud URLs go through `connect_to_weaviate_cloud`; any other URL through `connect_to_custom`
    with gRPC on the same host, port 50051 unless `grpc_host`/`grpc_port` say otherwise.
    """
    url = settings.weaviate_url
    if not url:
        raise ValueError("knowledge backend 'weaviate' needs TANDEM_WEAVIATE_URL (or WEAVIATE_URL)")
    auth = Auth.api_key(settings.weaviate_api_key) if settings.weaviate_api_key else None
    config = AdditionalConfig(timeout=timeout)
    if q.is_weaviate_cloud(url):
        if auth is None:
            raise ValueError("a Weaviate Cloud URL needs TANDEM_WEAVIATE_API_KEY (or WEAVIATE_API_KEY)")
        return weaviate.connect_to_weaviate_cloud(
            cluster_url=url, auth_credentials=auth, additional_config=config
        )
    params = q.connection_params(url, grpc_host=grpc_host, grpc_port=grpc_port)
    return weaviate.connect_to_custom(**asdict(params), auth_credentials=auth, additional_config=config)


def schema_problems(
    name: str,
    *,
    multi_tenant: bool,
    index_null_state: bool,
    description: str | None,
    tenant: str | None,
    embedder: Embedder,
) -> list[str]:
    """Why an existing collection cannot serve this backend (empty when it can)."""
    problems: list[str] = []
    if tenant is not None and not multi_tenant:
        problems.append(f"{name} exists without multi-tenancy but tenant {tenant!r} is configured")
    if tenant is None and multi_tenant:
        problems.append(f"{name} is multi-tenant but no tenant is configured (TANDEM_WEAVIATE_TENANT)")
    if not index_null_state:
        problems.append(f"{name} was created without index_null_state (the product filter needs it)")
    recorded = tagged_embedder(description)
    if recorded is not None and recorded != (embedder.name, embedder.dim):
        problems.append(
            f"{name} holds vectors of embedder {recorded[0]!r} (dim {recorded[1]}), "
            f"not {embedder.name!r} (dim {embedder.dim}); re-import into new collections"
        )
    return problems
