"""Alembic environment for warta.

Used two ways:

* programmatically, by :func:`warta.store.session.upgrade_database`, which passes an open
  connection in ``config.attributes["connection"]`` (the normal path, also for installed packages);
* from the ``alembic`` command line in a checkout (``alembic.ini`` at the repository root), for
  writing new migrations: the URL comes from ``-x url=...`` or ``WARTA_DATABASE_URL``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from warta.store.session import make_engine
from warta.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "WARTA_DATABASE_URL", ""
    )
    if not url:
        raise SystemExit(
            "give the database: alembic -x url=sqlite:///warta.db ... or WARTA_DATABASE_URL"
        )
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            run_on(conn)
    finally:
        engine.dispose()


main()
