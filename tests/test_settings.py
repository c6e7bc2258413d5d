"""Settings: rollout decisions and business hours parsed from the environment's strings."""

from __future__ import annotations

import pytest

from tandem.contracts import AiMode
from tandem.settings import Settings


def test_rollout_by_product_share_and_shadow_mode() -> None:
    assert Settings(ai_products=["credit_cards"]).ai_mode_for("T-1", "loans") is AiMode.OFF
    assert Settings(ai_products=["credit_cards"]).ai_mode_for("T-1", "credit_cards") is AiMode.ON
    assert Settings(shadow_mode=True).ai_mode_for("T-1", None) is AiMode.SHADOW
    assert Settings(ai_percentage=0).ai_mode_for("T-1", None) is AiMode.OFF


def test_percentage_rollout_is_stable_per_ticket_and_close_to_the_share() -> None:
    settings = Settings(ai_percentage=30)
    modes = [settings.ai_mode_for(f"T-{n}", None) for n in range(2000)]
    assert modes == [settings.ai_mode_for(f"T-{n}", None) for n in range(2000)]  # retries agree
    assert 0.25 < modes.count(AiMode.ON) / len(modes) < 0.35


def test_business_hours_setting_is_parsed_or_refused_clearly() -> None:
    hours = Settings(business_hours="Mon-Fri 09:00-17:00 Europe/Berlin").parsed_business_hours()
    assert hours is not None and hours.weekdays == [0, 1, 2, 3, 4]
    assert Settings().parsed_business_hours() is None
    with pytest.raises(ValueError, match="unknown time zone"):
        Settings(business_hours="Mon-Fri 09:00-17:00 Nowhere/Land").parsed_business_hours()
