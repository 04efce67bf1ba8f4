"""Store configurations for a device the way a backup run does, without SSH."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from netraven_desktop.core.crud import devices, jobs, tags
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Device, JobRun, JobRunResult
from netraven_desktop.core.services import backups


def capture(
    session: Session,
    run: JobRun,
    device: Device,
    config: str,
    facts: dict[str, Any] | None = None,
    secret_fingerprints: dict[str, Any] | None = None,
    *,
    masked: bool = True,
) -> JobRunResult:
    """Store `config` as `device`'s capture in `run`, the way a backup run does
    (`masked=False`: as a device with masking off stores it)."""
    result, _ = backups.store_capture(
        session,
        run_id=run.id,
        device_id=device.id,
        device_name=device.name,
        config=config,
        masked=masked,
        facts=facts or {},
        credential_id=None,
        started_at=utcnow(),
        connect_ms=5,
        secret_fingerprints=secret_fingerprints,
    )
    return result


def device_with_configs(
    db: Database,
    name: str,
    texts: list[str],
    *,
    job: str | None = None,
    tag_names: tuple[str, ...] = (),
    prints: list[dict[str, Any] | None] | None = None,
    clear: tuple[int, ...] = (),
    **facts: str,
) -> None:
    """A new device (cisco_ios at 10.0.0.1, tagged `tag_names`) with each text captured in
    its own run, in order (with the secret fingerprints in `prints`, if given); the texts
    at positions `clear` as stored with masking off.

    Goes through `backups.store_capture`, so sizes, line counts and the device's last
    backup state are what a real run leaves.
    """
    with db.session() as s:
        device_id = devices.create_device(
            s,
            name=name,
            host="10.0.0.1",
            platform="cisco_ios",
            tags=tags.ensure_tags(s, tag_names),
        ).id
        job_id = jobs.create_job(s, name=job).id if job else None
    for position, (text, fingerprints) in enumerate(
        zip(texts, prints or [None] * len(texts), strict=True)
    ):
        with db.session() as s:
            run = jobs.create_run(s, job_id=job_id, trigger="schedule" if job else "cli")
            device = s.get(Device, device_id)
            capture(s, run, device, text, facts, fingerprints, masked=position not in clear)
