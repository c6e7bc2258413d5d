"""Deployment settings, read from the environment (prefix TANDEM_) and an optional `.env` file.

DATABASE_URL is also accepted without the prefix because that is how most platforms hand it over.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tandem.contracts import AiMode, BusinessHours, ConversationTimeouts
from tandem.responder import DEFAULT_CONFIDENCE_THRESHOLD

_TIMERS = ConversationTimeouts()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_", env_file=".env", extra="ignore")

    # Runtime state (SQLite store, Temporal dev-server database); relative to where Tandem is started.
    data_dir: Path = Path(".tandem")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TANDEM_DATABASE_URL", "DATABASE_URL")
    )

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    # Temporal Cloud or a secured cluster: an API key (implies TLS), or mTLS with a client certificate.
    temporal_api_key: str | None = None
    temporal_tls: bool = False
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    # Encrypt conversation payloads in Temporal's history: "id:base64-32-bytes[,id:key...]", the first key
    # encrypts, all decrypt (`tandem keys payload-key` makes one). Workers, clients and the API share them.
    payload_keys: str | None = None
    task_queue: str = "tandem-support"

    # Conversation timers (defaults for every ticket; a ticket may override them at start).
    # The defaults are ConversationTimeouts' own, so a ticket started without settings behaves the same.
    pickup_timeout_seconds: float = _TIMERS.pickup.total_seconds()
    ai_time_limit_seconds: float = _TIMERS.ai_time_limit.total_seconds()
    ai_turn_limit: int = _TIMERS.ai_turn_limit
    inactivity_timeout_seconds: float = _TIMERS.inactivity.total_seconds()
    csat_window_seconds: float = _TIMERS.csat_window.total_seconds()
    # When people are at work, e.g. "Mon-Fri 09:00-17:00 Europe/Berlin"; unset means always.
    business_hours: str | None = None

    # Knowledge: "embedded" (hybrid BM25 + dense index under data_dir, no server) or "weaviate".
    knowledge_backend: Literal["embedded", "weaviate"] = "embedded"
    # Dense embeddings: "wordllama" ships in its wheel (default); "minilm" needs the [minilm] extra;
    # "cohere" is used when CO_API_KEY is set and this is left at "auto".
    embedder: Literal["auto", "wordllama", "minilm", "cohere"] = "auto"
    weaviate_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TANDEM_WEAVIATE_URL", "WEAVIATE_URL")
    )
    weaviate_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("TANDEM_WEAVIATE_API_KEY", "WEAVIATE_API_KEY")
    )
    weaviate_tenant: str | None = None  # multi-tenancy: one tenant per company
    cohere_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("TANDEM_CO_API_KEY", "CO_API_KEY")
    )
    cohere_base_url: str | None = None  # for a proxy or a test server
    cohere_embed_model: str = "embed-v4.0"
    cohere_rerank_model: str = "rerank-v3.5"
    cohere_chat_model: str = "command-a-03-2025"

    # Gradual rollout, applied when a ticket starts: the AI answers only for these products (empty: all),
    # for this share of new tickets, and in shadow mode only drafts replies for people to send.
    ai_products: list[str] = Field(default_factory=list)
    ai_percentage: int = Field(default=100, ge=0, le=100)
    shadow_mode: bool = False
    human_only_categories: list[str] = Field(default_factory=list)  # the AI never answers these

    # The deployment's escalation policy (always-human topics, weights, threshold); unset: built-in default.
    policy_file: Path | None = None

    # Retrieval and answering.
    answer_confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
    # Seconds a worker trusts the store's knowledge version stamp before reading it again: every turn would
    # otherwise query it twice; an ingest reaches running workers within this.
    knowledge_version_ttl_s: float = Field(default=1.0, ge=0)

    # Open conversations a worker keeps in memory between their turns (Temporal's workflow cache); beyond it
    # the least recent is evicted and replayed from history on its next turn. Bounds the worker's memory:
    # each cached conversation holds its state and transcript tail (a few hundred KB).
    worker_cached_conversations: int = Field(default=300, ge=0)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tandem.db'}"

    def parsed_business_hours(self) -> BusinessHours | None:
        from tandem.escalation.business_hours import parse_business_hours

        return parse_business_hours(self.business_hours) if self.business_hours else None

    def ai_mode_for(self, ticket_id: str, product: str | None) -> AiMode:
        """The rollout decision for a new ticket; stable for a ticket id, so retries agree."""
        if self.ai_products and product not in self.ai_products:
            return AiMode.OFF
        bucket = int(hashlib.sha256(ticket_id.encode()).hexdigest(), 16) % 100
        if bucket >= self.ai_percentage:
            return AiMode.OFF
        return AiMode.SHADOW if self.shadow_mode else AiMode.ON

    def default_timeouts(self) -> ConversationTimeouts:
        return ConversationTimeouts(
            pickup=timedelta(seconds=self.pickup_timeout_seconds),
            ai_time_limit=timedelta(seconds=self.ai_time_limit_seconds),
            ai_turn_limit=self.ai_turn_limit,
            inactivity=timedelta(seconds=self.inactivity_timeout_seconds),
            csat_window=timedelta(seconds=self.csat_window_seconds),
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
