"""The fixed words around a reply: greeting, the honest "not sure", the offer of a person, the question
which product is meant. They promise nothing (the guardrails read every reply anyway).
"""

from __future__ import annotations

from collections.abc import Sequence

from tandem.contracts import GeneratedReply


def greeting(name: str) -> str:
    first = name.strip().split()[0] if name.strip() else ""
    return f"Hi {first}," if first else "Hi,"


def abstain(greeting: str, confidence: float) -> GeneratedReply:
    text = (
        f"{greeting} I'm not sure I can answer that correctly, and I'd rather not guess. "
        "Would you like me to connect you with a person from our support team?"
    )
    return GeneratedReply(text=text, sources=[], confidence=confidence, abstained=True)


def refer(greeting: str, confidence: float) -> GeneratedReply:
    """Resolved tickets know the question but no article answers it: a person can, so offer one."""
    text = (
        f"{greeting} our support team has answered questions like this before, but it isn't covered in our "
        "help center, so a person should answer it. Would you like me to connect you with someone from our "
        "support team?"
    )
    return GeneratedReply(text=text, sources=[], confidence=confidence, abstained=True)


def unknown_product(greeting: str, name: str) -> GeneratedReply:
    """The customer names a product the help center does not have: answering from another would mislead."""
    text = (
        f"{greeting} I couldn't find anything about the {name} in our help center, and I'd rather not guess "
        "from a different product. Would you like me to connect you with a person from our support team?"
    )
    return GeneratedReply(text=text, sources=[], confidence=0.0, abstained=True)


def which_product(greeting: str, options: Sequence[str], confidence: float) -> GeneratedReply:
    """Several products fit and their answers differ: ask which one, stating no figure."""
    listed = ", ".join(options[:-1]) + f" or the {options[-1]}" if len(options) > 1 else options[0]
    text = (
        f"{greeting} the answer depends on which product you mean: the {listed}? "
        "Tell me which one and I'll look up the exact answer."
    )
    return GeneratedReply(text=text, sources=[], confidence=confidence, abstained=False, clarifying=True)


def ask_back(greeting: str, names: Sequence[str], confidence: float) -> GeneratedReply:
    """The customer told something but asked nothing: acknowledge it and ask what they would like to know."""
    about = f" about your {names[0]}" if names else ""
    text = f"{greeting} thanks for letting me know. What would you like to know{about}?"
    return GeneratedReply(text=text, sources=[], confidence=confidence, abstained=False, clarifying=True)
