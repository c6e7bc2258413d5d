"""What crosses the workflow boundary: start input, handler arguments, activity inputs and outputs.

Everything here is plain pydantic so the pydantic data converter can carry it through Temporal history.
Only ids and short texts travel; article bodies stay in the store and are looked up by id in activities.

The models live in submodules by subject (base, start, messages, ai, records, state); import them from here.
"""

from __future__ import annotations

from tandem.contracts.ai import (
    AgentDraft,
    CategoryRequest,
    EscalationCheck,
    EscalationDecision,
    EscalationReason,
    Focus,
    GeneratedReply,
    GenerationRequest,
    GuardrailNote,
    HandoffAnswer,
    HandoffPackage,
    HandoffRequest,
    SimilarTicket,
    SourceRef,
    SupportResponse,
    TurnRequest,
)
from tandem.contracts.base import (
    REJECTED,
    TICKET_CLOSED,
    AiMode,
    Author,
    ConversationState,
    Priority,
    Resolution,
)
from tandem.contracts.messages import (
    AgentReply,
    CloseRequest,
    CsatRecord,
    CsatResponse,
    CustomerMessage,
    HandBack,
    HumanRequest,
    PromiseKept,
    PromiseRequest,
    ReopenRequest,
    TakeOver,
    TranscriptEntry,
)
from tandem.contracts.records import (
    AiEventRecord,
    AiTurnRequest,
    AiTurnResult,
    EscalationRecord,
    MessageRecord,
    StoreBatch,
    TicketRecord,
    TicketStatusUpdate,
)
from tandem.contracts.start import (
    BusinessHours,
    ConversationTimeouts,
    CustomerContext,
    PreviousTicket,
    TicketStart,
)
from tandem.contracts.state import AgentPromise, CarriedState, ConversationStatus, QueueItem, TicketOutcome
from tandem.text_hygiene import MAX_ID_CHARS, MAX_MESSAGE_CHARS

# Models that name one defined in a later submodule: resolved now that every one exists.
_NAMESPACE = dict(globals())
for _model in (HandoffPackage, HandoffRequest, TicketStart, TranscriptEntry):
    _model.model_rebuild(_types_namespace=_NAMESPACE)

__all__ = [
    "MAX_ID_CHARS",
    "MAX_MESSAGE_CHARS",
    "REJECTED",
    "TICKET_CLOSED",
    "AgentDraft",
    "AgentPromise",
    "AgentReply",
    "AiEventRecord",
    "AiMode",
    "AiTurnRequest",
    "AiTurnResult",
    "Author",
    "BusinessHours",
    "CarriedState",
    "CategoryRequest",
    "CloseRequest",
    "ConversationState",
    "ConversationStatus",
    "ConversationTimeouts",
    "CsatRecord",
    "CsatResponse",
    "CustomerContext",
    "CustomerMessage",
    "EscalationCheck",
    "EscalationDecision",
    "EscalationReason",
    "EscalationRecord",
    "Focus",
    "GeneratedReply",
    "GenerationRequest",
    "GuardrailNote",
    "HandBack",
    "HandoffAnswer",
    "HandoffPackage",
    "HandoffRequest",
    "HumanRequest",
    "MessageRecord",
    "PreviousTicket",
    "Priority",
    "PromiseKept",
    "PromiseRequest",
    "QueueItem",
    "ReopenRequest",
    "Resolution",
    "SimilarTicket",
    "SourceRef",
    "StoreBatch",
    "SupportResponse",
    "TakeOver",
    "TicketOutcome",
    "TicketRecord",
    "TicketStart",
    "TicketStatusUpdate",
    "TranscriptEntry",
    "TurnRequest",
]
