from pathlib import Path

from tandem.deployment import build_turn_parts
from tandem.settings import Settings
from tandem.store import TicketStore

LOST_CARD = (
    '{"escalate_topics": [{"name": "lost card", "description": "A lost or stolen card.", '
    '"examples": ["I lost my card", "my card was stolen"]}]}'
)


def test_a_policy_with_topics_learns_them_from_the_deployments_ticket_history(
    settings: Settings, store: TicketStore, tmp_path: Path
) -> None:
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(LOST_CARD, encoding="utf-8")
    parts = build_turn_parts(settings.model_copy(update={"policy_file": policy_file}), store)
    assert parts.escalation.topics.mode == "history"
    assert parts.escalation.topics.categories  # the store's resolved tickets, by category
    assert parts.escalation.first_message("Someone stole my card yesterday").escalate


def test_the_default_policy_has_no_topics_to_learn(settings: Settings, store: TicketStore) -> None:
    parts = build_turn_parts(settings, store)
    assert parts.escalation.policy.topics == ()
    assert parts.escalation.topics.mode == "keywords"
    assert parts.escalation.first_message("I want to talk to a human").escalate
