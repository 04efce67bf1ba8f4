"""Editing jobs and reading a run's results through the services, sync and async, on
SQLite and PostgreSQL (what the Jobs view of the window calls)."""

from __future__ import annotations

import uuid

import pytest

from netraven_desktop.core.crud import audit as audit_rows
from netraven_desktop.core.crud import jobs as job_rows
from netraven_desktop.core.errors import ConflictError, InputError, NotFoundError
from netraven_desktop.core.services import jobs, runs


def _nightly(face):
    return face.service(
        jobs.add_job, name="nightly", selection=runs.Selection(all=True), schedule="@daily"
    )


def test_edit_job_changes_target_schedule_and_enabled_and_audits_the_change(face):
    job = _nightly(face)
    edited = face.service(
        jobs.edit_job,
        "nightly",
        expected_version=job.version,
        name="core-nightly",
        selection=runs.Selection(tags=("core",)),
        schedule="0 2 * * *",
        enabled=False,
    )
    assert (edited.name, edited.target, edited.schedule, edited.enabled) == (
        "core-nightly",
        {"tags": ["core"]},
        "0 2 * * *",
        False,
    )
    event = face(audit_rows.list_events, limit=1)[0]
    assert (event.action, event.before["schedule"], event.after["enabled"]) == (
        "job.update",
        "@daily",
        False,
    )
    unscheduled = face.service(jobs.edit_job, "core-nightly", schedule="")
    assert unscheduled.schedule is None


def test_edit_job_rejects_a_bad_schedule_and_writes_nothing(face):
    job = _nightly(face)
    with pytest.raises(InputError) as err:
        face.service(jobs.edit_job, "nightly", schedule="61 * * * *", enabled=False)
    assert err.value.field == "schedule"
    kept = face(job_rows.get_job, job.id)
    assert (kept.schedule, kept.enabled, kept.version) == ("@daily", True, job.version)


def test_edit_job_refuses_a_stale_version(face):
    job = _nightly(face)
    face.service(jobs.edit_job, "nightly", expected_version=job.version, enabled=False)
    with pytest.raises(ConflictError):
        face.service(jobs.edit_job, "nightly", expected_version=job.version, schedule="@hourly")
    assert face(job_rows.get_job, job.id).schedule == "@daily"


def test_run_results_lists_one_runs_devices_by_name(face):
    run = face(job_rows.create_run, device_count=2)
    other = face(job_rows.create_run, device_count=1)
    for name, status in (("sw2", "failed"), ("SW1", "changed")):
        face(job_rows.add_result, run_id=run.id, device_id=None, device_name=name, status=status)
    face(job_rows.add_result, run_id=other.id, device_id=None, device_name="x", status="changed")
    results = face.service(runs.run_results, run.id)
    assert [(r.device_name, r.status) for r in results] == [("SW1", "changed"), ("sw2", "failed")]
    with pytest.raises(NotFoundError):
        face.service(runs.run_results, uuid.uuid4())
