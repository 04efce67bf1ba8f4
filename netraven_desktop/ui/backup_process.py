"""Backups from the window run in a child process: the same engine as the CLI.

SSH handshakes are CPU-heavy; in a child they use the second core and never stall the
window. The child prints one JSON object per line (`job run NAME --json`); each becomes
an `event` signal here. The database URL travels in the environment, not on the command
line, where other users could read a password in it. In team mode the child signs in
with the session token the window's login left in the keyring.

The child is started with `--cancel-on-stdin`: cancelling writes a line to its standard
input, which works on every OS (terminating a process on Windows kills it before it can
record its unfinished devices as cancelled); should the window die, the closed pipe
cancels the run too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys

from .context import AppContext
from .qt import QObject, QProcess, QProcessEnvironment, QtCore, Signal

log = logging.getLogger(__name__)

CANCEL_GRACE = 10.0  # seconds a cancelled child gets to record its results before a kill


def engine_command(*args: str) -> tuple[str, list[str]]:
    """How to start `netraven-desktop ARGS` from this very installation."""
    if getattr(sys, "frozen", False):  # a packaged build: the executable is the program
        return sys.executable, list(args)
    return sys.executable, ["-m", "netraven_desktop", *args]


class BackupProcess(QObject):
    """One `netraven-desktop ... --json` child; `run()` resolves to its exit code."""

    event = Signal(dict)

    def __init__(
        self,
        ctx: AppContext,
        *args: str,
        cancellable: bool = True,
        parent: QObject | None = None,
    ) -> None:
        """`cancellable`: the command takes `--cancel-on-stdin` (backup and job runs)."""
        super().__init__(parent)
        self._process = QProcess(self)
        # On a replica the child works `--offline` on the team's URL, so what it writes
        # (backups taken offline) is queued for upload like the window's own edits.
        team = ctx.db.replica_of
        program, arguments = engine_command(
            *(["--offline"] if team else []),
            *args,
            *(["--cancel-on-stdin"] if cancellable else []),
        )
        self._process.setProgram(program)
        self._process.setArguments(arguments)
        env = QProcessEnvironment.systemEnvironment()
        # A member's own login is not handed on: the child signs in with the kept password.
        shared = team or ctx.db.login_of or ctx.db.url
        env.insert("NETRAVEN_DB_URL", shared.plain(hide_password=False))
        if ctx.user is not None:  # team mode: the child resumes the window's session
            env.insert("NETRAVEN_USER", ctx.user)
        self._process.setProcessEnvironment(env)
        self._process.readyReadStandardOutput.connect(self._read)
        self._pending = b""
        self._stderr = b""
        self._process.readyReadStandardError.connect(self._read_errors)
        self.killed = False  # the child ignored a cancel for CANCEL_GRACE and was killed
        self._kill_timer = QtCore.QTimer(self, singleShot=True, interval=int(CANCEL_GRACE * 1000))
        self._kill_timer.timeout.connect(self._kill)

    @property
    def stderr(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    async def run(self) -> int:
        finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._process.finished.connect(
            lambda code, _status: finished.done() or finished.set_result(code)
        )
        self._process.errorOccurred.connect(
            lambda error: (
                error == QProcess.ProcessError.FailedToStart
                and not finished.done()
                and finished.set_result(-1)
            )
        )
        self._process.start()
        try:
            return await asyncio.shield(finished)
        except asyncio.CancelledError:  # the window is closing: let the child wind down
            self.cancel()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished, CANCEL_GRACE)
            raise

    def cancel(self) -> None:
        """Ask the engine to stop: it records the devices not done as cancelled. A child
        still running `CANCEL_GRACE` later (hung, or ignoring the request) is killed, so
        Cancel always ends the run."""
        if self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.write(b"cancel\n")
            if not self._kill_timer.isActive():
                self._kill_timer.start()

    def _kill(self) -> None:
        if self._process.state() != QProcess.ProcessState.NotRunning:
            pid = self._process.processId()
            log.warning("backup child %s ignored cancel for %s s: killed", pid, CANCEL_GRACE)
            self.killed = True
            self._process.kill()

    def _read(self) -> None:
        self._pending += bytes(self._process.readAllStandardOutput().data())
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            if line.strip():
                try:
                    self.event.emit(json.loads(line))
                except ValueError:
                    continue  # not an event (a warning printed by a library)

    def _read_errors(self) -> None:
        self._stderr += bytes(self._process.readAllStandardError().data())
