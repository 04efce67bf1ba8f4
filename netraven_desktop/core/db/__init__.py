"""Database access: URL resolution, engines and sessions, the schema and its migrations."""

from .database import Database
from .url import DatabaseURL, resolve_database_url

__all__ = ["Database", "DatabaseURL", "resolve_database_url"]
