"""What operators see of a conversation in the Temporal UI and its list filters: search attributes and the
details line, written only when they change."""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from tandem import search_attributes as sa
    from tandem.contracts import CarriedState, CustomerContext

_UNPUBLISHED = object()


class Visibility:
    def __init__(self, ticket_id: str, customer: CustomerContext) -> None:
        self._ticket_id = ticket_id
        self._customer = customer
        # What the conversation was started (or continued) with is published already: the client sets the
        # ticket's attributes at start, so the first turn writes only what changed since.
        self._published: dict[str, object] = {
            pair.key.name: pair.value for pair in workflow.info().typed_search_attributes
        }

    def publish(self, data: CarriedState) -> None:
        values: dict[SearchAttributeKey, object] = {
            sa.TICKET_ID: self._ticket_id,
            sa.CUSTOMER_ID: self._customer.customer_id,
            sa.PRODUCT: self._customer.product or "none",
            sa.STATUS: data.state.value,
            sa.ESCALATED: data.escalated,
            sa.PRIORITY: int(data.priority),
        }
        if data.category is not None:
            values[sa.CATEGORY] = data.category
        if data.waiting_since is not None:
            # Kept after pickup (the queue filters on Status); unsetting a Datetime trips some servers.
            values[sa.WAITING_SINCE] = data.waiting_since
        changed = [
            key.value_set(v) for key, v in values.items() if self._published.get(key.name, _UNPUBLISHED) != v
        ]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._published.update({key.name: v for key, v in values.items()})
        reasons = ", ".join(dict.fromkeys(r.code for r in data.escalation_reasons)) or "none"
        details = (
            f"**{data.state.value}** · priority {data.priority.name} · agent {data.agent or '-'}"
            f" · AI turns {data.ai_turns} · escalation reasons: {reasons}"
        )
        if data.handoff is not None:
            details += f"\n\n**Handoff:** {data.handoff.summary}"
        workflow.set_current_details(details)
