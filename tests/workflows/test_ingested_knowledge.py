"""The workflow answers from what `tandem ingest` wrote: the same code path from a folder to a citation."""

from __future__ import annotations

import uuid
from pathlib import Path

from tandem.client import TandemClient
from tandem.knowledge.ingest import ingest_path
from tandem.store import TicketStore
from tests.conftest import new_ticket

ARTICLE = """---
title: Renewing a Quokka travel pass
---
# Renewing a Quokka travel pass

## Renewal steps

To renew a Quokka travel pass, open the Passes tab, choose the expiring pass and tap Renew.
The renewed Quokka pass keeps its number and its remaining balance.
"""


async def test_cited_sources_come_from_an_ingested_markdown_folder(
    local_tandem: TandemClient, store: TicketStore, tmp_path: Path
) -> None:
    product = f"travel_{uuid.uuid4().hex[:6]}"
    folder = tmp_path / "helpcenter"
    (folder / product).mkdir(parents=True)
    (folder / product / "quokka-renewal.md").write_text(ARTICLE)
    report = ingest_path(store, folder, progress=False)
    assert report.counts.added == 1

    start = new_ticket(product=product)
    response = await local_tandem.send_message(
        start.ticket_id, "How do I renew my Quokka travel pass?", start=start
    )

    assert [s.id for s in response.sources] == [f"{product}/quokka-renewal"]
    assert response.sources[0].title == "Renewing a Quokka travel pass"
    assert "tap Renew" in response.text
