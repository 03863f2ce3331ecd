"""Distributed crawling: workers on one or several machines sharing one frontier in Redis.

``scrapy crawl news ... -a run=ID`` with ``NEWSCRAWLER_REDIS_URL`` set switches it on
(``configure``, called by the ``crawl`` command). The workers given the same run id share,
through scrapy-redis's scheduler and duplicate filter (``scheduler``), one queue of requests
and one seen-set. On top of scrapy-redis:

- ``scheduler``: a request is queued only if unseen, and popped together with a *lease*
  naming its worker, each in one atomic step (``scripts``, Lua);
- ``coordinator``: heartbeats, leases settled once the engine is done with their request
  (its items stored, its follow-up requests queued), dead workers' leases queued again,
  idle workers kept open until the run is done, the run's keys removed by the last worker;
- ``politeness``: one request slot per host for every worker, spaced by the largest of
  ``DOWNLOAD_DELAY``, AutoThrottle's delay and robots.txt's Crawl-delay.

``keys`` names everything a run keeps in Redis. Nothing here is imported by a local crawl.
"""
