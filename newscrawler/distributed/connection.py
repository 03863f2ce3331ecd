"""One Redis client per process and URL, made by scrapy-redis with its connection defaults."""

from __future__ import annotations

import functools

from redis import Redis
from scrapy_redis import connection, defaults

__all__ = ["redis_client"]


@functools.cache
def redis_client(url: str) -> Redis:
    """A client (and its connection pool) for ``url``, shared by the process's components."""
    client: Redis = connection.get_redis(url=url, **defaults.REDIS_PARAMS)
    return client
