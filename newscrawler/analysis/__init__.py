"""Page analysis, off the reactor: from a page's bytes to one ``PageAnalysis``.

The spider awaits ``analyzer.PageAnalyzer.analyse``; the analyser runs ``page.analyse_page``
in a ``pool.WorkerPool`` of ``process`` workers (or inline), which parses the page once,
reads its kind, feeds and links, extracts the article (``newscrawler.extraction``) and
computes its MinHash signature (``minhash``) and content hash (``normalise``). Worker
processes import only this and the extraction stack: no Scrapy, no SQLAlchemy.
"""
