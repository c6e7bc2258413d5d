"""Reading any message a customer might send: the question reader never fails, and reads the message the same
whatever its case ("HOW MUCH is the fee", "how much is the fee")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.responder.question import Question
from tandem.responder.question_parts import asks_anything

# Words and marks that steer the reader (question words, "and if", lists, attributes, story), mixed with
# arbitrary text so every splitting rule meets odd input.
_STEERING = [
    *("what", "whats", "what's", "how", "much", "many", "early", "if", "and", "also", "up", "to", "when"),
    *("fee", "bonus", "limit", "APY", "rate", "for", "us", "them", "my", "card", "account", "it", "the"),
    *(",", ", and", "?", "??", ".", " - ", ";", "\n", "$10k", "5 weeks back", "last month", "Business"),
    *("HOW MUCH", "Whats", "Max", "UP TO"),
]
_MESSAGES = st.lists(
    st.one_of(st.sampled_from(_STEERING), st.text(max_size=12)), min_size=1, max_size=40
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_MESSAGES)
def test_any_message_is_read_without_failing_and_whatever_its_case(message: str) -> None:
    def read(text: str) -> list[tuple[frozenset[str], bool, frozenset[str]]]:
        return [(ask.terms, ask.asks_value, ask.wants) for ask in Question.read(text).asks]

    assert read(message) == read(message.lower())
    assert asks_anything(message) == asks_anything(message.lower())
