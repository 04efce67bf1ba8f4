"""The headless front end: `netraven-desktop [--db URL] COMMAND ...` for cron and scripts.

Exit codes (the contract scripts rely on): 0 success; 1 the command ran but some items
failed (or an edit lost an optimistic-locking race); 2 bad input or usage, one line on
stderr naming the field and the value, nothing written; 3 an environment problem
(database unreachable, schema too new or not migrated); 4 an internal error.
"""

from .app import main, run_command

__all__ = ["main", "run_command"]
