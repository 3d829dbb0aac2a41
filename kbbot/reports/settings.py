"""The windows, threshold and limits the report definitions use (`ReportSettings`)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..support import business_hours


@dataclass(frozen=True)
class ReportSettings:
    """The windows, threshold and limits of the definitions; `from_config` reads them from app settings."""

    deflection_window: timedelta
    repeat_window: timedelta
    topic_similarity: float  # cosine similarity in [-1, 1], see kbbot/search/topics.py
    session_gap: timedelta = timedelta(minutes=30)
    top_questions: int = 10
    content_gaps: int = 10
    examples: int = 3  # example questions shown per content-gap topic, besides its label
    # How soon after reading or being shown an article a handoff counts against it (article performance).
    contact_window: timedelta = timedelta(minutes=30)
    # When the report is made: an assumed deflection whose window is still open then is pending.
    # None: every window counts as closed.
    as_of: datetime | None = None
    # The business hours first replies are timed in (SLA figures); None: around the clock.
    schedule: business_hours.Schedule | None = None

    @classmethod
    def from_config(cls, config):
        return cls(
            deflection_window=timedelta(hours=config["DEFLECTION_WINDOW_HOURS"]),
            repeat_window=timedelta(days=config["REPEAT_CONTACT_DAYS"]),
            topic_similarity=config["TOPIC_SIMILARITY"],
            as_of=datetime.now(UTC),
            schedule=business_hours.parse(config["BUSINESS_HOURS"], config["TIMEZONE"]),
        )
