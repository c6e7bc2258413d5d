"""What the API's routes share (kept on the app): the conversation client, the stores, the gatekeeper,
idempotency; and the ownership rule every ticket route applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from tandem.access.identity import Caller, Kind
from tandem.api.auth import Gatekeeper
from tandem.api.config import ApiSettings
from tandem.api.idempotency import Idempotency
from tandem.api.problems import unknown_ticket
from tandem.client import TandemClient, UnknownTicketError
from tandem.settings import Settings
from tandem.store import TicketStore
from tandem.store.access import AccessStore


@dataclass
class Services:
    settings: ApiSettings
    tandem_settings: Settings
    tandem: TandemClient
    store: TicketStore
    access: AccessStore
    gatekeeper: Gatekeeper
    idempotency: Idempotency
    secret: str

    async def check_ticket(self, who: Caller, ticket_id: str) -> None:
        """A customer reaches only their own tickets; anyone else's is unknown to them (404, not 403)."""
        if who.kind is not Kind.CUSTOMER:
            return
        owner = await run_in_threadpool(self.store.ticket_owner, ticket_id)
        if owner is None:  # opened a moment ago: the workflow knows before the store does
            try:
                owner = (await self.tandem.status(ticket_id)).customer_id
            except UnknownTicketError:
                raise unknown_ticket() from None
        if owner != who.subject:
            raise unknown_ticket()

    async def audit(self, who: Caller, action: str, ticket_id: str | None = None, detail: str = "") -> None:
        await run_in_threadpool(self.access.audit, who.kind.value, who.subject, action, ticket_id, detail)


def services(request: Request) -> Services:
    return request.app.state.services


Svc = Annotated[Services, Depends(services)]
