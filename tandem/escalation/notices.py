"""What the customer is told when a person is brought in or the conversation changes hands.

Plain functions so the workflow stays deterministic and the wording is tested on its own. The texts promise
only what the workflow itself enforces: that a person sees the whole conversation.
"""

from __future__ import annotations

from tandem.contracts import ConversationState, EscalationDecision, GeneratedReply

_REASON_PHRASES = {
    "explicit_request": "you asked for a person",
    "topic": "this is something our team handles personally",
    "legal_threat": "this needs a person from our team",
    "safety": "your safety matters more than anything I can look up",
    "complaint": "you'd like to make a complaint, and that deserves a person",
    "multi_issue": "there are several things to sort out here",
    "cancellation": "you mentioned closing your account",
    "frustration": "this clearly needs more care than I can give",
    "repeated_failure": "I haven't been able to answer this",
    "low_confidence": "I'm not sure enough to answer this",
    "ai_turn_limit": "we've gone back and forth without solving it",
    "ai_time_limit": "this is taking longer than it should",
    "ai_unavailable": "I can't look this up right now",
}


def handoff_notice(decision: EscalationDecision, reply: GeneratedReply | None = None) -> str:
    """The AI's last message before a person takes over. Keeps a grounded answer when there was one."""
    why = next((_REASON_PHRASES[r.code] for r in decision.reasons if r.code in _REASON_PHRASES), None)
    handoff = (
        "I'm bringing in a member of our support team"
        + (f" because {why}" if why else "")
        + ". They will see this whole conversation, so you won't need to repeat anything."
    )
    if reply is not None and keeps_answer(decision, reply):
        return f"{reply.text}\n\n{handoff}"
    return handoff


def keeps_answer(decision: EscalationDecision, reply: GeneratedReply) -> bool:
    """A grounded answer stays in the handoff message unless the customer simply asked for a person. A
    question back ("which account do you mean?") does not: the person asks it, if it still matters."""
    if reply.abstained or reply.clarifying:
        return False
    return not any(r.code == "explicit_request" for r in decision.reasons)


def holding_notice(state: ConversationState, agent: str | None) -> str:
    """Acknowledgement for a customer message while a person has, or is about to have, the conversation."""
    if state is ConversationState.HUMAN_ACTIVE and agent:
        return f"Thanks, {agent} from our support team has your message and will reply here."
    if state is ConversationState.CLOSED:
        return "This conversation is closed. Your message was saved; start a new conversation for more help."
    return "Thanks, your message was added to your request. A member of our support team will reply here."


def pickup_delay_notice() -> str:
    return (
        "It's taking longer than usual for a person to pick up. We've moved your request up the queue; "
        "everything you've written is saved, so you can leave and we'll reply here."
    )


def takeover_notice(agent: str) -> str:
    return f"{agent} from our support team has joined the conversation."


def hand_back_notice(agent: str) -> str:
    return f"{agent} handed the conversation back to the assistant. Ask for a person at any time."


def reopened_notice() -> str:
    return "Welcome back. This conversation is open again, and everything said before is still here."


def closed_notice(abandoned: bool) -> str:
    if abandoned:
        return "We closed this conversation after a period of inactivity. Write again any time to start anew."
    return (
        "This conversation has been closed. Thank you for contacting us. "
        "How did we do? You can rate this conversation from 1 to 5."
    )


def out_of_hours_notice(hours_text: str, promised_by_text: str) -> str:
    return (
        f"Our support team works {hours_text}, so nobody is in right now. "
        f"A person will pick up your request by {promised_by_text}; you don't need to stay here, "
        "we'll reply in this conversation."
    )
