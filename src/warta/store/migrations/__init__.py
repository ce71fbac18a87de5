"""Alembic migrations, shipped in the package (run by ``warta.store.session.upgrade_database``)."""
