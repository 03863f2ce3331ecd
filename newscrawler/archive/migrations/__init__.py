"""Alembic migrations of the archive (run by newscrawler.archive.engine)."""
