"""Migration scripts, one revision a file, applied in order by Alembic."""
