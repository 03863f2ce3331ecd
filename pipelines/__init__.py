"""Item pipelines, in order: the canonical URL of an article, then the archive.

The spider yields one item per fetch (``newscrawler.items``): ``PageItem`` for an article
(its analysis done by the extraction workers), ``FetchItem`` for everything else.
"""
