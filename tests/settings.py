"""The project's Scrapy settings as a dict, for crawlers built in tests with ``get_crawler``."""

from __future__ import annotations

from typing import Any

from newscrawler import settings as project


def project_settings(**overrides: Any) -> dict[str, Any]:
    """Every setting of ``newscrawler.settings``, with ``overrides`` on top."""
    values = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    return {**values, **overrides}
