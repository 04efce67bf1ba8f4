"""Jobs, runs and per-device results, sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from netraven_desktop.core.crud import configs, devices, jobs
from netraven_desktop.core.db.models import Job, JobRun
from netraven_desktop.core.errors import ConflictError, DuplicateError, InputError, NotFoundError

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _job(face, name="nightly", **fields):
    return face(jobs.create_job, name=name, **fields)


def _stamp(face, model, row_id, **values):
    """Set timestamps the CRUD layer does not take, so orderings are deterministic."""
    face(lambda s: s.execute(update(model).where(model.id == row_id).values(**values)))


def _run(face, job=None, hours=0, **fields):
    run = face(jobs.create_run, job_id=job.id if job else None, **fields)
    _stamp(face, JobRun, run.id, started_at=T0 + timedelta(hours=hours))
    return run


def _device(face, name="r1"):
    return face(devices.create_device, name=name, host="10.0.0.1", platform="cisco_ios")


def test_create_and_get_round_trip(face):
    created = _job(face, description="  every night  ", schedule="0 2 * * *")
    got = face(jobs.get_job, created.id)
    assert (got.name, got.description, got.schedule, got.target, got.options) == (
        "nightly",
        "every night",
        "0 2 * * *",
        {"all": True},
        {},
    )
    assert got.enabled is True
    assert got.version == 1
    assert face(jobs.get_job_by_name, "NIGHTLY").id == created.id
    tagged = _job(face, name="core", target={"tags": ["core"]}, options={"retries": 2})
    assert (tagged.target, tagged.options) == ({"tags": ["core"]}, {"retries": 2})
    with pytest.raises(DuplicateError) as err:
        _job(face, name="Nightly")
    assert err.value.field == "name"
    with pytest.raises(NotFoundError):
        face(jobs.get_job, uuid.uuid4())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target", {"bogus": 1}),
        ("target", {"all": True, "tags": ["core"]}),
        ("target", {}),
        ("target", ["all"]),
        ("options", ["retries"]),
        ("name", " "),
    ],
)
def test_bad_fields_are_rejected_and_nothing_is_written(face, field, value):
    with pytest.raises(InputError) as err:
        _job(face, **{field: value})
    assert (err.value.field, err.value.value) == (field, value)
    assert face(jobs.list_jobs) == []


def test_list_filters_sort_and_page(face):
    b = _job(face, name="b-weekly", enabled=False)
    a = _job(face, name="A-daily")
    c = _job(face, name="c-hourly")
    for hours, job in enumerate((c, a, b)):
        _stamp(face, Job, job.id, created_at=T0 + timedelta(hours=hours))
    names = lambda rows: [j.name for j in rows]  # noqa: E731
    assert names(face(jobs.list_jobs)) == ["A-daily", "b-weekly", "c-hourly"]
    assert names(face(jobs.list_jobs, descending=True)) == ["c-hourly", "b-weekly", "A-daily"]
    assert names(face(jobs.list_jobs, sort="created_at")) == ["c-hourly", "A-daily", "b-weekly"]
    assert names(face(jobs.list_jobs, enabled=False)) == ["b-weekly"]
    assert names(face(jobs.list_jobs, enabled=True)) == ["A-daily", "c-hourly"]
    assert names(face(jobs.list_jobs, limit=1, offset=2)) == ["c-hourly"]
    with pytest.raises(InputError):
        face(jobs.list_jobs, sort="target")


def test_update_checks_the_version_and_the_target(face):
    job = _job(face)
    updated = face(jobs.update_job, job.id, 1, target={"devices": ["r1"]}, enabled=False)
    assert (updated.target, updated.enabled, updated.version) == ({"devices": ["r1"]}, False, 2)
    with pytest.raises(ConflictError) as err:
        face(jobs.update_job, job.id, 1, schedule="@daily")
    assert (err.value.expected, err.value.actual) == (1, 2)
    with pytest.raises(InputError) as err:
        face(jobs.update_job, job.id, 2, target={"platforms": ["ios"], "all": True})
    assert err.value.field == "target"
    got = face(jobs.get_job, job.id)
    assert (got.target, got.schedule, got.version) == ({"devices": ["r1"]}, None, 2)
    with pytest.raises(ConflictError):
        face(jobs.delete_job, job.id, 1)
    face(jobs.delete_job, job.id, 2)
    with pytest.raises(NotFoundError):
        face(jobs.get_job_by_name, "nightly")


def test_runs_newest_first_filtered_and_updated(face):
    nightly, weekly = _job(face), _job(face, name="weekly")
    old = _run(face, nightly, hours=1, trigger="schedule", device_count=3)
    new = _run(face, nightly, hours=3, actor="alice")
    mid = _run(face, weekly, hours=2)
    adhoc = _run(face, hours=0)
    ids = lambda rows: [r.id for r in rows]  # noqa: E731
    assert ids(face(jobs.list_runs)) == [new.id, mid.id, old.id, adhoc.id]
    assert ids(face(jobs.list_runs, job_id=nightly.id)) == [new.id, old.id]
    assert ids(face(jobs.list_runs, limit=2, offset=1)) == [mid.id, old.id]
    got = face(jobs.get_run, old.id)
    assert (got.job_id, got.trigger, got.actor, got.status, got.device_count) == (
        nightly.id,
        "schedule",
        None,
        "running",
        3,
    )
    assert face(jobs.get_run, new.id).actor == "alice"
    done = face(jobs.update_run, old.id, status="partial", finished_at=T0, succeeded=2, failed=1)
    assert (done.status, done.finished_at, done.succeeded, done.failed) == ("partial", T0, 2, 1)
    assert ids(face(jobs.list_runs, status="partial")) == [old.id]
    assert ids(face(jobs.list_runs, job_id=nightly.id, status="running")) == [new.id]
    with pytest.raises(InputError) as err:
        face(jobs.update_run, new.id, status="done")
    assert (err.value.field, err.value.value) == ("status", "done")
    with pytest.raises(TypeError):
        face(jobs.update_run, new.id, trigger="api")
    assert face(jobs.get_run, new.id).status == "running"


def test_results_added_listed_and_updated(face):
    run = _run(face)
    r1 = _device(face)
    a = face(jobs.add_result, run_id=run.id, device_id=r1.id, device_name="r1")
    b = face(
        jobs.add_result,
        run_id=run.id,
        device_id=None,
        device_name="B-gone",
        status="failed",
        error_class="auth",
        message="login refused",
    )
    c = face(jobs.add_result, run_id=run.id, device_id=None, device_name="a0", status="changed")
    other = _run(face, hours=1)
    face(jobs.add_result, run_id=other.id, device_id=None, device_name="zz")
    ids = lambda rows: [r.id for r in rows]  # noqa: E731
    assert ids(face(jobs.list_results, run.id)) == [c.id, b.id, a.id]
    assert ids(face(jobs.list_results, run.id, status="failed")) == [b.id]
    assert ids(face(jobs.list_results, run.id, limit=1, offset=1)) == [b.id]
    got = face(jobs.get_result, b.id)
    assert (got.device_id, got.status, got.error_class, got.message) == (
        None,
        "failed",
        "auth",
        "login refused",
    )
    assert face(jobs.get_result, a.id).status == "pending"
    updated = face(jobs.update_result, a.id, status="unchanged", duration_ms=1200, finished_at=T0)
    assert (updated.status, updated.duration_ms, updated.finished_at) == ("unchanged", 1200, T0)
    assert ids(face(jobs.list_results, run.id, status="unchanged")) == [a.id]
    with pytest.raises(InputError) as err:
        face(jobs.update_result, a.id, status="ok")
    assert err.value.field == "status"
    with pytest.raises(InputError) as err:
        face(jobs.add_result, run_id=run.id, device_id=None, device_name="x", status="ok")
    assert err.value.field == "status"
    with pytest.raises(TypeError):
        face(jobs.add_result, run_id=run.id, device_id=None, device_name="x", password="s3cret")
    assert len(face(jobs.list_results, run.id)) == 3
    face(jobs.delete_result, c.id)
    assert ids(face(jobs.list_results, run.id)) == [b.id, a.id]


def test_deleting_a_job_keeps_its_runs(face):
    job = _job(face)
    run = _run(face, job)
    face(jobs.delete_job, job.id)
    kept = face(jobs.get_run, run.id)
    assert (kept.id, kept.job_id, kept.status) == (run.id, None, "running")


def test_deleting_a_run_deletes_its_results_and_unlinks_snapshots(face):
    run = _run(face)
    device = _device(face)
    result = face(jobs.add_result, run_id=run.id, device_id=device.id, device_name="r1")
    blob = face(configs.put_blob, "hostname r1\n")
    snap = face(
        configs.create_snapshot, device_id=device.id, blob_sha256=blob.sha256, job_run_id=run.id
    )
    face(jobs.delete_run, run.id)
    with pytest.raises(NotFoundError):
        face(jobs.get_result, result.id)
    with pytest.raises(NotFoundError):
        face(jobs.get_run, run.id)
    assert face(configs.get_snapshot, snap.id).job_run_id is None


def test_deleting_a_device_keeps_its_results(face):
    run = _run(face)
    device = _device(face, "core-sw1")
    result = face(jobs.add_result, run_id=run.id, device_id=device.id, device_name="core-sw1")
    face(devices.delete_device, device.id)
    kept = face(jobs.get_result, result.id)
    assert (kept.device_id, kept.device_name, kept.run_id) == (None, "core-sw1", run.id)


def test_deleting_a_snapshot_unlinks_the_result(face):
    run = _run(face)
    device = _device(face)
    blob = face(configs.put_blob, "hostname r1\n")
    snap = face(configs.create_snapshot, device_id=device.id, blob_sha256=blob.sha256)
    result = face(
        jobs.add_result,
        run_id=run.id,
        device_id=device.id,
        device_name="r1",
        status="changed",
        snapshot_id=snap.id,
    )
    assert face(jobs.get_result, result.id).snapshot_id == snap.id
    face(configs.delete_snapshot, snap.id)
    kept = face(jobs.get_result, result.id)
    assert (kept.snapshot_id, kept.status, kept.device_id) == (None, "changed", device.id)
