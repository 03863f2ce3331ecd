"""Full-text search: one query language, one interface, a backend per database.

- ``query``: the query language, parsed into a tree (``parse``, ``InvalidQuery``);
- ``analyzer``: folding and stemming, shared by the index and the queries;
- ``backend``: the interface, and ``sqlite`` (FTS5) / ``postgresql`` (tsvector) behind it;
- ``schema``: the index structures, created, migrated and rebuilt;
- ``statements``: pages of hits, counts and counts per period on any backend;
- ``snippets``: passages with their matches marked, and ``render`` for the marks.

Researchers use it through ``newscrawler.api.Archive.search``.
"""
