"""The backup engine: many devices at once, bounded, retried, cancellable, with progress.

One engine serves both front ends: the CLI runs it directly; the window starts the CLI
as a child process and reads its JSON-lines events. Each device's outcome is committed
as soon as it is known, so a crash loses only devices in flight.

Trust on first use: a device without a pinned host key has the key it presents pinned
inside the backup's own SSH connection before any credential is offered (the driver
waits for the pin), and that first contact offers only the first credential of the plan;
falling back to further credentials happens only against a host whose key was pinned
before and still matches.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ..crud import configs as config_rows
from ..crud import credentials as credential_rows
from ..crud import host_keys as host_key_rows
from ..db import Database
from ..db.base import utcnow
from ..db.models import Credential, Device, ResultStatus
from ..drivers.errors import BackupError
from ..drivers.filters import clean_prepared, parse_facts, prepare
from ..drivers.ssh import Capture, HostKey, Login, Target, capture
from ..drivers.transcript import SUFFIX, Recorder
from ..errors import InputError
from ..export_paths import safe_component
from ..platforms import one_registry, profile_for
from ..secret_fingerprints import Fingerprints, MaskKey, fingerprints, load_key, raw_hash
from ..secrets import Secrets, SecretStore, SecretStoreError
from . import backups, host_keys, runs, settings, vault, work_queue
from .access import authorize
from .events import (
    DeviceFinished,
    DeviceRetry,
    DeviceStarted,
    RunEvent,
    RunFinished,
    RunStarted,
    RunSummary,
)
from .result_writer import ResultWriter, Work

log = logging.getLogger(__name__)
T = TypeVar("T")
# A collector's step in each result's transaction: may this result be stored?
Settle = Callable[[Session, uuid.UUID, str], bool]
# Seconds between cancels of a capture that is still going after a cancel (see _cancel_all).
CANCEL_AGAIN_AFTER = 0.5


@dataclass(frozen=True)
class EngineOptions:
    concurrency: int = 50
    connect_timeout: float = 15.0
    device_timeout: float = 300.0
    retries: int = 1
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_output_mb: int = 64  # output one device's session may send
    record_dir: Path | None = None  # set: one session transcript per device written here

    @classmethod
    def from_settings(cls, session: Any, **overrides: Any) -> EngineOptions:
        """The global settings, with any non-None override (e.g. `--concurrency`)."""
        values = {
            "concurrency": settings.get_setting(session, "backup.concurrency"),
            "connect_timeout": settings.get_setting(session, "backup.connect_timeout"),
            "device_timeout": settings.get_setting(session, "backup.device_timeout"),
            "retries": settings.get_setting(session, "backup.retries"),
            "max_output_mb": settings.get_setting(session, "backup.max_output_mb"),
        }
        return cls(**(values | {k: v for k, v in overrides.items() if v is not None}))


@dataclass(frozen=True)
class _CredentialPlan:
    id: uuid.UUID
    username: str
    keyring_ref: str
    key_path: str | None


@dataclass(frozen=True)
class _DevicePlan:
    id: uuid.UUID
    name: str
    target: Target | None  # None: the platform has no usable profile (`unusable` says why)
    mask_secrets: bool
    credentials: tuple[_CredentialPlan, ...]
    unusable: str = ""
    raw_hash: str | None = None  # the latest snapshot's, when it has one


class BackupEngine:
    """Runs one backup run at a time; `cancel()` may be called from any task."""

    def __init__(
        self,
        db: Database,
        store: SecretStore,
        options: EngineOptions,
        emit: Callable[[RunEvent], None] | None = None,
    ) -> None:
        self.db = db
        self.store = store
        self.options = options
        self.emit = emit or (lambda event: None)
        self._cancelled = asyncio.Event()
        self._secrets: dict[str, asyncio.Future[Secrets | BackupError]] = {}
        self._writes: set[asyncio.Future[None]] = set()  # results being committed
        self._capturing: set[asyncio.Task[Any]] = set()  # devices inside their SSH session
        self._mask_key: MaskKey | None = None
        self._settle: Settle | None = None

    def cancel(self) -> None:
        self._cancelled.set()

    async def run(
        self,
        selection: runs.Selection,
        *,
        job_id: uuid.UUID | None = None,
        trigger: str = "manual",
        actor: str | None = None,
        scheduled_for: datetime | None = None,
    ) -> RunSummary:
        """Back up `selection` as one run; SlotTakenError (nothing written) when the
        schedule slot `scheduled_for` was run by someone else."""
        async with self.db.async_session() as session:
            await session.run_sync(authorize, "backup")
            await runs.recover_interrupted_runs(session)
            plans = await session.run_sync(_plan_devices, selection, self.options)
            run = await runs.start_run(
                session,
                device_count=len(plans),
                job_id=job_id,
                trigger=trigger,
                actor=actor,
                scheduled_for=scheduled_for,
            )
        summary = RunSummary(run_id=run.id, devices=len(plans))
        self.emit(RunStarted(run.id, len(plans), self.options.concurrency))
        await self._execute(plans, run.id, summary)
        succeeded = summary.changed + summary.unchanged
        async with self.db.async_session() as session:
            finished = await runs.finish_run(
                session,
                run.id,
                succeeded=succeeded,
                failed=summary.failed,
                changed=summary.changed,
                cancelled=self._cancelled.is_set(),
            )
        summary.status = finished.status
        self.emit(RunFinished(summary))
        return summary

    async def run_claimed(
        self, run_id: uuid.UUID, device_ids: list[uuid.UUID], settle: Settle
    ) -> RunSummary:
        """Back up devices a collector claimed for a queued run. `settle(session, device_id,
        status)` runs in each result's transaction first; False stores no result (the
        lease was lost, or a cancelled item went back to the queue)."""
        async with self.db.async_session() as session:
            await session.run_sync(authorize, "backup")
            plans = await session.run_sync(_plan_claimed, device_ids, self.options)
        self._settle = settle
        summary = RunSummary(run_id=run_id, devices=len(plans))
        await self._execute(plans, run_id, summary)
        return summary

    async def _execute(
        self, plans: list[_DevicePlan], run_id: uuid.UUID, summary: RunSummary
    ) -> None:
        """Back up every planned device at once (bounded), each result committed when known."""
        self._mask_key = await asyncio.to_thread(load_key, self.store, self.db)
        limit = asyncio.Semaphore(self.options.concurrency)
        self._writer = ResultWriter(self.db)
        self._writer.start()
        tasks = [asyncio.create_task(self._device(plan, run_id, limit, summary)) for plan in plans]
        watcher = asyncio.create_task(self._cancel_all(tasks))
        try:
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            watcher.cancel()
            await asyncio.gather(*self._writes, return_exceptions=True)  # in flight at a cancel
            await self._writer.close()
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome

    def _settled(self, plan: _DevicePlan, status: str, work: Work) -> Work:
        """`work`, behind the collector's settle step when this run came from the queue."""
        settle = self._settle
        if settle is None:
            return work

        def guarded(session: Session) -> Any:
            return work(session) if settle(session, plan.id, status) else None

        return guarded

    async def _cancel_all(self, tasks: list[asyncio.Task[None]]) -> None:
        """Cancel every device; then cancel again each capture still going, until none is.

        On Python 3.11 a cancel that lands just as an `asyncio.wait_for` inside it
        completes is lost (asyncssh connects that way), and that capture would run on
        until its device timeout, minutes after the user pressed Cancel.
        """
        await self._cancelled.wait()
        for task in tasks:
            task.cancel()
        while self._capturing:
            await asyncio.wait(self._capturing, timeout=CANCEL_AGAIN_AFTER)
            for task in self._capturing:
                task.cancel()

    async def _device(
        self, plan: _DevicePlan, run_id: uuid.UUID, limit: asyncio.Semaphore, summary: RunSummary
    ) -> None:
        """Back up one device. Cancelling stops its capture, never its bookkeeping."""
        started_at = utcnow()
        outcome: tuple[Capture, uuid.UUID] | BackupError
        status = ResultStatus.FAILED
        try:
            async with limit:
                started_at = utcnow()
                self.emit(DeviceStarted(plan.name))
                me = asyncio.current_task()
                assert me is not None  # a device always runs in its own task
                self._capturing.add(me)
                try:
                    async with asyncio.timeout(self.options.device_timeout):
                        outcome = await self._capture(plan)
                finally:
                    self._capturing.discard(me)
        except asyncio.CancelledError:
            if not self._cancelled.is_set():
                raise
            outcome, status = BackupError("cancelled"), ResultStatus.CANCELLED
        except TimeoutError:
            outcome = BackupError("timeout", f"no result within {self.options.device_timeout:g}s")
        except BackupError as exc:
            outcome = exc
        except Exception as exc:  # a bug must cost one device, not the run
            log.exception("backup of %s failed unexpectedly", plan.name)
            outcome = BackupError("internal", type(exc).__name__)
        if isinstance(outcome, BackupError):
            record = self._record_failure(plan, run_id, started_at, summary, outcome, status)
        else:
            record = self._record_success(plan, run_id, started_at, summary, *outcome)
        write = asyncio.ensure_future(record)
        self._writes.add(write)
        await asyncio.shield(write)

    async def _capture(self, plan: _DevicePlan) -> tuple[Capture, uuid.UUID]:
        """Pin the key on first contact, then try the credentials the key allows."""
        if plan.target is None:
            raise BackupError("no_profile", plan.unusable)
        if not plan.credentials:
            raise BackupError("no_credential", plan.name)
        first_contact = plan.target.host_key is None
        pin = functools.partial(self._pin, plan) if first_contact else None
        candidates = plan.credentials[:1] if first_contact else plan.credentials
        for credential in candidates:
            login = await self._login(credential)
            recorder = self._recorder(plan, login)
            try:
                seen = await self._retrying(
                    plan, functools.partial(capture, plan.target, login, recorder, pin)
                )
                return seen, credential.id
            except BackupError as exc:
                if exc.error_class != "auth_failed":
                    raise
                if first_contact:
                    raise BackupError(
                        "auth_failed",
                        f"{exc.detail}; first contact: other credentials are tried once the "
                        "host key pinned now is seen again",
                    ) from None
        raise BackupError("auth_failed", f"all {len(candidates)} applicable credential(s) refused")

    def _recorder(self, plan: _DevicePlan, login: Login) -> Recorder | None:
        """With `record_dir`: the device's transcript (the last attempt's is kept)."""
        if self.options.record_dir is None:
            return None
        assert plan.target is not None  # checked by _capture
        return Recorder(
            self.options.record_dir / f"{safe_component(plan.name)}{SUFFIX}",
            device=plan.name,
            profile=plan.target.profile,
            username=login.username,
            secrets=(login.password, login.enable_secret, login.passphrase),
        )

    async def _pin(self, plan: _DevicePlan, offered: HostKey) -> str:
        """Pin the key a new device presents (audited); the key trusted for it now."""
        pinned: str = await self._writer.submit(
            functools.partial(host_keys.pin_first_key, device_id=plan.id, offered=offered),
            urgent=True,
        )
        return pinned

    async def _retrying(self, plan: _DevicePlan, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()`, again after a transient failure, with doubling backoff."""
        number = 0
        while True:
            try:
                return await attempt()
            except BackupError as exc:
                if not exc.transient or number == self.options.retries:
                    raise
                self.emit(DeviceRetry(plan.name, exc.error_class, number + 1))
                await asyncio.sleep(self.options.backoff * 2**number)
                number += 1

    async def _login(self, credential: _CredentialPlan) -> Login:
        secrets = await self._secrets_for(credential.keyring_ref)
        if isinstance(secrets, BackupError):
            raise secrets
        if not credential.key_path and not secrets.password:
            raise BackupError("keyring", f"no password stored for {credential.username!r}")
        return Login(
            username=credential.username,
            password=secrets.password,
            key_path=credential.key_path,
            passphrase=secrets.passphrase,
            enable_secret=secrets.enable,
        )

    def _secrets_for(self, reference: str) -> asyncio.Future[Secrets | BackupError]:
        """One keyring (or team vault) read per credential per run, however many devices
        wait for it."""
        if reference not in self._secrets:
            self._secrets[reference] = asyncio.ensure_future(self._read_secrets(reference))
        return self._secrets[reference]

    async def _read_secrets(self, reference: str) -> Secrets | BackupError:
        try:
            return await asyncio.to_thread(vault.read_secrets, self.db, self.store, reference)
        except SecretStoreError as exc:
            return BackupError("keyring", str(exc))
        except (vault.VaultAccessError, vault.VaultTamperedError) as exc:
            return BackupError("vault", str(exc))

    async def _record_success(
        self,
        plan: _DevicePlan,
        run_id: uuid.UUID,
        started_at: datetime,
        summary: RunSummary,
        seen: Capture,
        credential_id: uuid.UUID,
    ) -> None:
        assert plan.target is not None  # checked by _capture
        profile = plan.target.profile
        prepared = prepare(seen.config, profile)
        raw = raw_hash(self._mask_key, prepared, profile, plan.mask_secrets)

        def cleaned() -> tuple[str, Fingerprints | None]:
            text = clean_prepared(prepared, profile, mask_secrets=plan.mask_secrets)
            return text.text, fingerprints(text, self._mask_key)

        # Masking is most of a backup's own work: skipped when the capture hashes as the
        # latest snapshot's did (checked again in the result's transaction).
        config: str | Callable[[], tuple[str, Fingerprints | None]] = cleaned
        prints = None
        if raw is None or raw != plan.raw_hash:
            config, prints = cleaned()
        facts = parse_facts(seen.version, profile)
        stored = await self._writer.submit(
            self._settled(
                plan,
                ResultStatus.CHANGED,
                functools.partial(
                    backups.store_capture,
                    run_id=run_id,
                    device_id=plan.id,
                    device_name=plan.name,
                    config=config,
                    masked=plan.mask_secrets,
                    secret_fingerprints=prints,
                    raw_hash=raw,
                    facts=facts,
                    credential_id=credential_id,
                    started_at=started_at,
                    connect_ms=int(seen.timings["connect"] * 1000),
                    warnings=tuple(seen.warnings),
                ),
            )
        )
        if stored is None:
            return
        result, snapshot = stored
        if result.status == ResultStatus.CHANGED:
            summary.changed += 1
        else:
            summary.unchanged += 1
        self.emit(DeviceFinished.of(result, snapshot, tuple(seen.warnings)))

    async def _record_failure(
        self,
        plan: _DevicePlan,
        run_id: uuid.UUID,
        started_at: datetime,
        summary: RunSummary,
        error: BackupError,
        status: str = ResultStatus.FAILED,
    ) -> None:
        result = await self._writer.submit(
            self._settled(
                plan,
                status,
                functools.partial(
                    backups.store_failure,
                    run_id=run_id,
                    device_id=plan.id,
                    device_name=plan.name,
                    status=status,
                    error_class=error.error_class,
                    message=str(error),
                    started_at=started_at,
                ),
            )
        )
        if result is None:
            return
        if status == ResultStatus.CANCELLED:
            summary.cancelled += 1
        else:
            summary.failed += 1
            summary.failures[error.error_class] = summary.failures.get(error.error_class, 0) + 1
        self.emit(DeviceFinished.of(result))


def _plan_devices(
    session: Any, selection: runs.Selection, options: EngineOptions
) -> list[_DevicePlan]:
    """Everything the run needs from the database, read in a few queries up front."""
    return _plan(session, runs.select_devices(session, selection), options)


def _plan_claimed(
    session: Any, device_ids: list[uuid.UUID], options: EngineOptions
) -> list[_DevicePlan]:
    """The plan for claimed devices (one removed since it was queued is left out)."""
    return _plan(session, work_queue.devices_by_id(session, device_ids), options)


def _plan(session: Any, chosen: list[Device], options: EngineOptions) -> list[_DevicePlan]:
    ids = [device.id for device in chosen]
    trusted = host_key_rows.trusted_keys(session, ids)
    raw_hashes = config_rows.latest_raw_hashes(session, ids)
    every_credential = credential_rows.list_credentials(session)
    with one_registry():  # one look at the platforms folder, not one per device
        return [
            _device_plan(
                device,
                options,
                trusted.get(device.id),
                tuple(credential_rows.rank_candidates(device, every_credential)),
                raw_hashes.get(device.id),
            )
            for device in chosen
        ]


def _device_plan(
    device: Device,
    options: EngineOptions,
    host_key: str | None,
    candidates: tuple[Credential, ...],
    raw_hash: str | None,
) -> _DevicePlan:
    target, unusable = None, ""
    try:
        profile = profile_for(device.platform)
    except InputError as exc:  # its profile file was removed or broken since
        unusable = str(exc)
    else:
        target = Target(
            host=device.host,
            port=device.port,
            profile=profile,
            connect_timeout=float(device.connect_timeout or options.connect_timeout),
            legacy_algorithms=device.ssh_legacy_algorithms,
            host_key=host_key,
            max_output=options.max_output_mb * 2**20,
        )
    credentials = tuple(
        _CredentialPlan(c.id, c.username, c.keyring_ref, c.ssh_key_path) for c in candidates
    )
    return _DevicePlan(
        device.id, device.name, target, device.mask_secrets, credentials, unusable, raw_hash
    )
