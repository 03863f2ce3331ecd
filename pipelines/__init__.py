"""Item pipelines, in order: validate, extract, canonicalise, deduplicate, store."""

from scrapy.exceptions import DropItem


class Dropped(DropItem):
    """A page that is not stored, with the reason used as its stats key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def drop(stats, reason: str, detail: str = "") -> Dropped:  # type: ignore[no-untyped-def]
    """Count the drop under ``newscrawler/dropped/<reason>`` and return the exception."""
    stats.inc_value(f"newscrawler/dropped/{reason}")
    return Dropped(reason, detail)
