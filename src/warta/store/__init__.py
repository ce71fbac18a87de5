"""Persistence: tables, Alembic migrations and the :class:`~warta.store.repository.Store`.

Build an engine with :func:`warta.store.session.make_engine`, migrate it with
:func:`warta.store.session.upgrade_database`, then use :class:`warta.store.repository.Store`.
"""
