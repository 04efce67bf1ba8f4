"""Alembic environment. Always handed a live connection by `netraven_desktop.core.db.schema`."""

from __future__ import annotations

from alembic import context

from netraven_desktop.core.db.models import Base
from netraven_desktop.core.db.schema import include_name

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
