"""Commands on recorded session transcripts: `platform test` and `sim --replay`.

Neither needs a database: a transcript is served on loopback and backed up (or just
served) in this process, so a user can try a profile against a device they do not have.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from dataclasses import replace
from pathlib import Path

from ..core.drivers.errors import BackupError
from ..core.drivers.filters import clean, parse_facts
from ..core.drivers.ssh import Capture, Login, Target, capture
from ..core.drivers.transcript import Transcript, load
from ..core.errors import InputError
from ..core.platforms import profile_for, validate_platform
from ..sim.replay import ReplayDevice, Replayer, device_names
from .stdin_control import watch_stdin

REPLAY_PASSWORD = "replay"  # what `platform test` types: a replayed device takes any


def platform_test(args: argparse.Namespace) -> int:
    """Print the result and the stored configuration; exit 1 with one line on failure."""
    profile = profile_for(validate_platform(args.profile, "PROFILE"))
    if not 0 < args.timeout <= 600:
        raise InputError("--timeout", args.timeout, "must be from 0 to 600 seconds")
    transcript = load(Path(args.transcript))
    try:
        seen = asyncio.run(_back_up(transcript, Target("127.0.0.1", 0, profile, args.timeout)))
    except BackupError as exc:
        print(f"netraven-desktop: platform test: {exc.error_class}: {exc}", file=sys.stderr)
        return 1
    cleaned = clean(seen.config, profile)
    facts = parse_facts(seen.version, profile)
    masked = sum(len(values) for values in cleaned.masked.values())
    print(
        f"ok: {transcript.device} backed up as {profile.key}: "
        f"{cleaned.text.count(chr(10))} lines, {masked} secret values masked"
    )
    for name, value in facts.items():
        print(f"{name}: {value}")
    for warning in seen.warnings:
        print(f"warning: {warning}")
    print("--- stored configuration ---")
    sys.stdout.write(cleaned.text)
    return 0


async def _back_up(transcript: Transcript, target: Target) -> Capture:
    device = ReplayDevice(transcript.device, transcript)
    async with Replayer() as replayer:
        await replayer.start([device])
        login = Login(
            transcript.username or "replay", REPLAY_PASSWORD, enable_secret=REPLAY_PASSWORD
        )
        try:
            async with asyncio.timeout(target.connect_timeout * 6):
                return await capture(replace(target, port=device.port), login)
        except TimeoutError:
            raise BackupError("timeout", "the replayed session did not finish") from None


def replay(args: argparse.Namespace) -> int:
    """`sim --replay`: print `name platform host:port` per transcript, `ready`, then serve."""
    transcripts = [load(Path(path)) for path in args.replay]
    devices = [
        ReplayDevice(name, transcript)
        for name, transcript in zip(device_names(transcripts), transcripts, strict=True)
    ]

    async def serve() -> None:
        task = asyncio.current_task()
        assert task is not None
        if args.stop_on_stdin:
            watch_stdin(asyncio.get_running_loop(), task.cancel)
        async with Replayer(
            args.host, password=args.password, enable_secret=args.enable_secret
        ) as replayer:
            await replayer.start(devices)
            for device in devices:
                print(f"{device.name} {device.transcript.platform} {args.host}:{device.port}")
            print("ready", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(serve())
    return 0
