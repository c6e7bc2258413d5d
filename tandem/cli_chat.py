"""`tandem chat`: a customer's side of a conversation in the terminal, with what the conversation says while
the customer is idle (agents' replies, holding notices), rating and reopening after close."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import uuid

from tandem.cli_output import out, print_entry, print_response
from tandem.client import TandemClient, TandemError
from tandem.contracts import Author, ConversationState, CustomerContext, TicketStart


async def chat(args: argparse.Namespace, client: TandemClient) -> int:
    ticket_id = args.ticket or f"T{uuid.uuid4().hex[:8].upper()}"
    start = TicketStart(
        ticket_id=ticket_id,
        customer=CustomerContext(
            customer_id=args.customer, name=args.name, product=args.product, high_value=args.high_value
        ),
    )
    if args.message:
        for text in args.message:
            print_response(await client.send_message(ticket_id, text, start=start))
        out(f"(ticket {ticket_id})")
        return 0

    status = await client.open_ticket(start)
    out(
        f"Ticket {ticket_id} ({status.state.value}). Type a message; /human for a person, /rate 1-5 after it"
        " is closed (writing again reopens it), /quit to leave."
    )
    chat = _ChatView(client, ticket_id)
    await chat.show_new(include_customer=True)
    watcher = asyncio.create_task(chat.watch())  # replies and notices arrive while the customer is idle
    loop = asyncio.get_running_loop()
    try:
        while True:
            text = await loop.run_in_executor(None, _read_line)
            if text is None or text.strip() in ("/quit", "/exit"):
                out(f"Bye. Resume with: tandem chat --ticket {ticket_id}")
                return 0
            if text.strip():
                await chat.say(text.strip(), start)
    finally:
        watcher.cancel()


class _ChatView:
    """What the customer sees: every message once, whoever wrote it and whenever it arrives."""

    WATCH_EVERY_S = 1.0

    def __init__(self, client: TandemClient, ticket_id: str) -> None:
        self._client = client
        self._ticket_id = ticket_id
        self._seen: set[str] = set()
        self._state: ConversationState | None = None

    async def say(self, text: str, start: TicketStart) -> None:
        try:
            if text == "/human":
                await self._client.request_human(self._ticket_id)
            elif text.startswith("/rate"):
                rating = int(text.removeprefix("/rate").strip() or 0)
                await self._client.submit_csat(self._ticket_id, rating)
                out("  (thanks for rating)")
            elif self._state is ConversationState.CLOSED:
                await self._client.reopen(self._ticket_id, text)
            else:
                await self._client.send_message(self._ticket_id, text, start=start)
        except (TandemError, ValueError) as err:
            out(f"  ! {err}")
        await self.show_new()

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self.WATCH_EVERY_S)
            with contextlib.suppress(TandemError):
                await self.show_new()

    async def show_new(self, include_customer: bool = False) -> None:
        for entry in await self._client.transcript(self._ticket_id):
            shown = include_customer or entry.author is not Author.CUSTOMER
            if entry.message_id not in self._seen and shown:
                print_entry(entry)
            self._seen.add(entry.message_id)
        state = (await self._client.status(self._ticket_id)).state
        if state is not self._state and state is ConversationState.CLOSED:
            out("  (this conversation is closed: /rate 1-5, or write to reopen it)")
        self._state = state


def _read_line() -> str | None:
    try:
        return input("you> ")
    except EOFError:
        return None
