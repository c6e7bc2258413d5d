"""What the agent who has (or will have) a conversation sees as the suggested reply.

A grounded answer is suggested as it is. When the help center has no answer, the similar resolved tickets
are what the agent needs: their subjects and resolutions, listed for the agent only (a customer's reply never
quotes another customer's ticket). Plain functions: the workflow calls them deterministically.
"""

from __future__ import annotations

from tandem.contracts import GeneratedReply, SourceRef

NO_SUGGESTION = (
    "No suggested reply: the help center does not answer this, and no similar resolved ticket has a "
    "resolution."
)


def draft_for_agent(reply: GeneratedReply) -> tuple[str, list[SourceRef]]:
    """The draft's text and sources: the reply when it answers, else similar resolved tickets to adapt."""
    if not reply.abstained:
        return reply.text, list(reply.sources)
    resolved = [t for t in reply.similar_tickets if t.snippet.strip()]
    if not resolved:
        return f"{reply.text}\n\n({NO_SUGGESTION})", []
    lines = [f"- {t.title} ({t.id}): {t.snippet}" for t in resolved]
    text = "\n".join(["Similar resolved tickets (for you only; adapt before sending):", *lines])
    return text, resolved
