"""Log formatting: a dropped page is one short line, not a warning with the whole item.

Drops are routine for a crawler that fetches listing pages to discover articles; their
reasons are counted in the stats (``newscrawler/dropped/<reason>``).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


class NewsLogFormatter(LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None
                ) -> dict[str, Any]:
        return {
            "level": logging.DEBUG,
            "msg": "Not stored: %(reason)s",
            "args": {"reason": exception},
        }
