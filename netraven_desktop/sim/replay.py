"""Recorded session transcripts served as SSH devices on loopback (`sim --replay`).

A replayed device answers what the client types with what the recording says came back
after it, read by read as recorded (gaps between reads kept, up to `max_gap`): a line
is looked up from the recording's current place on, then from its start, so a client
that types the same commands gets the same session, and one that types a command the
recording lacks gets `% Unknown command` and the last prompt, as a device would answer.
The SSH login accepts any password unless one is given; the enable secret likewise. A
secret typed in the session is checked against the one the recording names there: the
enable secret, or the password of a login inside the shell (AireOS's `User:`/`Password:`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from functools import partial

import asyncssh

from ..core.drivers.transcript import Chunk, Sent, Transcript

_LINE_END = re.compile(r"\r\n|\r|\n")
_KEYS = frozenset(" ")  # the pager key a client types without a line break


@dataclass
class ReplayDevice:
    name: str
    transcript: Transcript
    port: int = 0  # filled by Replayer.start()


class _Server(asyncssh.SSHServer):
    def __init__(self, password: str | None) -> None:
        self._password = password

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._password is None or password == self._password


class _EndOfInput(Exception):
    pass


class _Session:
    """One client's walk through one transcript."""

    def __init__(
        self,
        process: asyncssh.SSHServerProcess[bytes],
        transcript: Transcript,
        secrets: dict[str, str | None],
        max_gap: float,
    ) -> None:
        self.process = process
        self.events = transcript.events
        self.secrets = secrets  # a secret's name in the recording -> the value to accept
        self.max_gap = max_gap
        self.pos = 0
        self.tail = ""  # output after the last line break: the prompt to repeat
        self.prompt = ""  # where the last command was typed: back there after a bad secret
        self.buf = ""

    async def run(self) -> None:
        await self.answer()
        while self.pos < len(self.events):
            token = await self.token()
            await self.respond(token)

    async def answer(self) -> None:
        """Send the recorded reads from the current place up to the next typed input."""
        previous: float | None = None
        while self.pos < len(self.events):
            event = self.events[self.pos]
            if not isinstance(event, Chunk):
                return
            if previous is not None and event.at > previous:
                await asyncio.sleep(min(event.at - previous, self.max_gap))
            self.write(event.text)
            await self.process.stdout.drain()
            previous = event.at
            self.pos += 1

    def write(self, text: str) -> None:
        self.process.stdout.write(text.encode())
        self.tail = (self.tail + text).rsplit("\n", 1)[-1][-512:]

    def expected(self) -> Sent | None:
        return next((e for e in self.events[self.pos :] if isinstance(e, Sent)), None)

    async def token(self) -> str:
        """The next line typed (with "\\n"), or a lone pager key."""
        while True:
            expected = self.expected()
            key = expected.text if expected and not expected.secret else ""
            if key and "\n" not in key and self.buf.startswith(key):
                self.buf = self.buf[len(key) :]
                return key
            end = _LINE_END.search(self.buf)
            if end:
                line, self.buf = self.buf[: end.start()], self.buf[end.end() :]
                if end.group() == "\r" and self.buf.startswith("\n"):
                    self.buf = self.buf[1:]
                return line + "\n"
            if self.buf and self.buf[0] in _KEYS and not key:
                key, self.buf = self.buf[0], self.buf[1:]
                return key
            data = await self.process.stdin.read(4096)
            if not data:
                raise _EndOfInput
            self.buf += data.decode(errors="replace")

    async def respond(self, token: str) -> None:
        expected = self.expected()
        if expected is not None and expected.secret and token.endswith("\n"):
            wanted = self.secrets.get(expected.secret)
            if wanted is not None and token[:-1] != wanted:
                self.write(f"\r\n% Bad secrets\r\n\r\n{self.prompt}")
            else:
                self.pos = self.events.index(expected, self.pos) + 1
                await self.answer()
            await self.process.stdout.drain()
            return
        self.prompt = self.tail
        found = self.find(token)
        if found is None:
            shown = token.strip()
            reply = f"{shown}\r\n% Unknown command (not in this transcript)\r\n" if shown else ""
            self.write(("\r\n" if token.endswith("\n") else "") + reply + self.tail)
            await self.process.stdout.drain()
            return
        self.pos = found + 1
        await self.answer()

    def find(self, token: str) -> int | None:
        """Where the recording has this input: from the current place on, else from its start."""
        wanted = token.strip() if token.endswith("\n") else token
        order = [*range(self.pos, len(self.events)), *range(self.pos)]
        for i in order:
            event = self.events[i]
            if isinstance(event, Sent) and not event.secret:
                typed = event.text.strip() if event.text.endswith("\n") else event.text
                if typed == wanted and event.text.endswith("\n") == token.endswith("\n"):
                    return i
        return None


class Replayer:
    """Transcripts served as devices, one loopback port each, on the running event loop."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        *,
        password: str | None = None,
        enable_secret: str | None = None,
        max_gap: float = 0.02,
    ) -> None:
        self.host = host
        self.password = password
        self.enable_secret = enable_secret
        self.max_gap = max_gap
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Replayer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, devices: list[ReplayDevice]) -> None:
        try:
            for device in devices:
                acceptor = await asyncssh.listen(
                    self.host,
                    0,
                    server_factory=partial(_Server, self.password),
                    server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")],
                    process_factory=partial(self._handle, device.transcript),
                    encoding=None,
                    line_editor=False,
                    allow_scp=False,
                    agent_forwarding=False,
                    x11_forwarding=False,
                )
                self._acceptors.append(acceptor)
                device.port = acceptor.get_port()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        for acceptor in self._acceptors:
            acceptor.close()
        for acceptor in self._acceptors:
            await acceptor.wait_closed()
        self._acceptors.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)

    async def _handle(
        self, transcript: Transcript, process: asyncssh.SSHServerProcess[bytes]
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            if process.command is None:
                secrets = {"enable": self.enable_secret, "password": self.password}
                await _Session(process, transcript, secrets, self.max_gap).run()
        except (_EndOfInput, asyncssh.Error, OSError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                process.exit(0)


def device_names(transcripts: list[Transcript]) -> list[str]:
    """Each transcript's device name, made unique with -2, -3... where names repeat."""
    seen: dict[str, int] = {}
    names = []
    for transcript in transcripts:
        seen[transcript.device] = seen.get(transcript.device, 0) + 1
        count = seen[transcript.device]
        names.append(transcript.device if count == 1 else f"{transcript.device}-{count}")
    return names
