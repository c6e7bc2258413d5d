"""Responders (offline, Cohere), the reply pipeline, context and guardrails."""

# Below this answer confidence the AI says it is not sure and offers a person. One value for both responders
# and the settings default; chosen on validation data, see tandem.responder.evidence (tickets) and
# tandem.responder.answer_confidence (replies).
DEFAULT_CONFIDENCE_THRESHOLD = 0.35
