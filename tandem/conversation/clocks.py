"""When the conversation's clocks run out: the customer gone quiet, the AI out of time, a person late to pick
up (in business time when the deployment has business hours), the survey window after close. Pure reads of
the conversation's state; the machine decides what happens when one passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.contracts import BusinessHours, CarriedState, ConversationState, ConversationTimeouts, Priority
from tandem.escalation import business_hours


@dataclass
class Clocks:
    data: CarriedState
    timeouts: ConversationTimeouts
    hours: BusinessHours | None

    def inactivity_due(self) -> datetime:
        return (self.data.last_customer_at or self.data.opened_at) + self.timeouts.inactivity

    def ai_limit_due(self) -> datetime | None:
        started = self.data.episode_started_at
        return started + self.timeouts.ai_time_limit if started else None

    def ai_deadline(self) -> datetime:
        """While the AI has the conversation: when the customer counts as gone, or the AI out of time."""
        return min(d for d in (self.inactivity_due(), self.ai_limit_due()) if d is not None)

    def pickup_deadline(self) -> datetime | None:
        """While people have it: when a person should have picked up (None once the priority is urgent)."""
        if (
            self.data.state is not ConversationState.WAITING_FOR_HUMAN
            or self.data.priority >= Priority.URGENT
        ):
            return None
        since = self.data.waiting_since or self.data.opened_at
        return self.pickup_due(since, self.timeouts.pickup * (self.data.pickup_misses + 1))

    def pickup_due(self, since: datetime, pickup: timedelta) -> datetime:
        """When a person should have picked up: business time when the deployment has business hours."""
        if self.hours is None:
            return since + pickup
        return business_hours.add_business_time(self.hours, since, pickup)

    def survey_ends_at(self) -> datetime | None:
        if self.data.state is not ConversationState.CLOSED or self.data.closed_at is None:
            return None
        return self.data.closed_at + self.timeouts.csat_window

    def survey_open(self, now: datetime) -> bool:
        ends = self.survey_ends_at()
        return ends is not None and now < ends
