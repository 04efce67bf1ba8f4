"""A child process the window started stops when the window says so, on every OS."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable


def watch_stdin(loop: asyncio.AbstractEventLoop, cancel: Callable[[], None]) -> None:
    """Call `cancel` on a "cancel" line or end of input: the window's way to stop a child.

    Signals cannot do it on Windows (terminating a process there kills it outright, and
    its unfinished devices would never be recorded as cancelled), while a pipe works
    everywhere. A thread reads the raw descriptor because pipes cannot be awaited on every
    OS's event loop, and a buffered `sys.stdin` held by a thread can stall exit. End of
    input cancels too: a window that died must not leave its run (or simulator) going.
    """

    def watch() -> None:
        pending = b""
        while b"cancel" not in pending:
            chunk = os.read(sys.stdin.fileno(), 1024)
            if not chunk:
                break
            pending = pending[-16:] + chunk
        with contextlib.suppress(RuntimeError):  # the run already ended and its loop closed
            loop.call_soon_threadsafe(cancel)

    threading.Thread(target=watch, name="cancel-on-stdin", daemon=True).start()
