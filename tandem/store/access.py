"""The access part of the store: API keys, local agent accounts, the audit trail and the responses of
idempotent POSTs. Secrets are hashed before they get here (tandem.access.secrets)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, select

from tandem.store.base import StoreBase
from tandem.store.models import AgentAccountRow, ApiKeyRow, AuditEventRow, IdempotencyRow
from tandem.store.types import utcnow


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class AgentAccount:
    agent_id: str
    display_name: str
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: datetime
    actor_kind: str
    actor: str
    action: str
    ticket_id: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    fingerprint: str
    status_code: int
    body: str


class AccessStore(StoreBase):
    # --- API keys ---------------------------------------------------------------------------------------

    def add_api_key(self, key_id: str, name: str, secret_hash: str, scopes: set[str]) -> ApiKey:
        row = ApiKeyRow(
            key_id=key_id,
            name=name,
            secret_hash=secret_hash,
            scopes=" ".join(sorted(scopes)),
            created_at=utcnow(),
        )
        with self._session() as s:
            s.add(row)
            s.commit()
        return _api_key(row)

    def api_key(self, key_id: str) -> tuple[ApiKey, str] | None:
        """The key and its secret's hash, revoked or not."""
        with self._session() as s:
            row = s.get(ApiKeyRow, key_id)
        return (_api_key(row), row.secret_hash) if row is not None else None

    def api_keys(self) -> list[ApiKey]:
        with self._session() as s:
            return [_api_key(r) for r in s.exec(select(ApiKeyRow).order_by(col(ApiKeyRow.created_at)))]

    def revoke_api_key(self, key_id: str) -> bool:
        """False when there is no such key or it was revoked already."""
        stmt = (
            update(ApiKeyRow)
            .where(col(ApiKeyRow.key_id) == key_id, col(ApiKeyRow.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
        with self._session() as s:
            changed = s.exec(stmt).rowcount == 1  # type: ignore[call-overload]
            s.commit()
        return changed

    # --- agent accounts -----------------------------------------------------------------------------

    def add_agent(self, agent_id: str, password_hash: str, display_name: str = "") -> AgentAccount:
        """A new account, or a new password (and name) for an existing one, which is enabled again."""
        with self._session() as s:
            row = s.get(AgentAccountRow, agent_id)
            if row is None:
                row = AgentAccountRow(agent_id=agent_id, password_hash=password_hash, created_at=utcnow())
            row.password_hash = password_hash
            row.display_name = display_name or row.display_name
            row.disabled_at = None
            s.add(row)
            s.commit()
            s.refresh(row)
        return _agent(row)

    def agent_login(self, agent_id: str) -> tuple[AgentAccount, str] | None:
        """An enabled account and its password hash."""
        with self._session() as s:
            row = s.get(AgentAccountRow, agent_id)
        if row is None or row.disabled_at is not None:
            return None
        return _agent(row), row.password_hash

    def agents(self) -> list[AgentAccount]:
        with self._session() as s:
            return [
                _agent(r) for r in s.exec(select(AgentAccountRow).order_by(col(AgentAccountRow.agent_id)))
            ]

    def disable_agent(self, agent_id: str) -> bool:
        stmt = (
            update(AgentAccountRow)
            .where(col(AgentAccountRow.agent_id) == agent_id, col(AgentAccountRow.disabled_at).is_(None))
            .values(disabled_at=utcnow())
        )
        with self._session() as s:
            changed = s.exec(stmt).rowcount == 1  # type: ignore[call-overload]
            s.commit()
        return changed

    # --- the audit trail ------------------------------------------------------------------------------

    def audit(
        self, actor_kind: str, actor: str, action: str, ticket_id: str | None = None, detail: str = ""
    ) -> None:
        row = AuditEventRow(
            event_id=uuid.uuid4().hex,
            at=utcnow(),
            actor_kind=actor_kind,
            actor=actor,
            action=action,
            ticket_id=ticket_id,
            detail=detail,
        )
        with self._session() as s:
            s.add(row)
            s.commit()

    def audit_trail(self, ticket_id: str | None = None, limit: int = 200) -> list[AuditEvent]:
        """Newest first; one ticket's, or everyone's."""
        stmt = select(AuditEventRow).order_by(col(AuditEventRow.at).desc()).limit(limit)
        if ticket_id is not None:
            stmt = stmt.where(col(AuditEventRow.ticket_id) == ticket_id)
        with self._session() as s:
            return [
                AuditEvent(r.at, r.actor_kind, r.actor, r.action, r.ticket_id, r.detail) for r in s.exec(stmt)
            ]

    # --- idempotent POSTs -----------------------------------------------------------------------------

    def stored_response(self, caller: str, key: str) -> StoredResponse | None:
        with self._session() as s:
            row = s.get(IdempotencyRow, (caller, key))
        return StoredResponse(row.fingerprint, row.status_code, row.body) if row is not None else None

    def store_response(self, caller: str, key: str, response: StoredResponse) -> StoredResponse:
        """Keeps the first response under the key; returns the one kept (a concurrent retry may have won)."""
        row = {
            "caller": caller,
            "key": key,
            "fingerprint": response.fingerprint,
            "status_code": response.status_code,
            "body": response.body,
            "created_at": utcnow(),
        }
        if self._insert_once(IdempotencyRow, row):
            return response
        kept = self.stored_response(caller, key)
        return kept if kept is not None else response

    def forget_responses_before(self, before: datetime) -> int:
        with self._session() as s:
            deleted = s.exec(delete(IdempotencyRow).where(col(IdempotencyRow.created_at) < before)).rowcount  # type: ignore[call-overload]
            s.commit()
        return int(deleted)


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(row.key_id, row.name, frozenset(row.scopes.split()), row.created_at, row.revoked_at)


def _agent(row: AgentAccountRow) -> AgentAccount:
    return AgentAccount(row.agent_id, row.display_name, row.created_at, row.disabled_at)
