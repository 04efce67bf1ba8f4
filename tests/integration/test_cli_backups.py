"""The backup, credential and job commands as cron and users run them: real processes,
the simulator over loopback (itself started with `netraven-desktop sim`), the real keyring."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from netraven_desktop.core.crud import credentials as credential_rows
from netraven_desktop.core.crud import jobs as job_rows
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import jobs as job_service
from netraven_desktop.core.services import runs
from tests.clitools import add_lab_inventory, one_line_error
from tests.sim import SIM_ENABLE as ENABLE
from tests.sim import SIM_PASSWORD as PASSWORD


@contextlib.contextmanager
def _inventory(cli, devices):
    """A credential in the keyring and the simulated devices in the inventory."""
    add_lab_inventory(cli, devices, "sim")
    try:
        yield devices
    finally:
        cli("credential", "remove", "lab")


@pytest.fixture
def inventory(cli, sim_devices, secret_store):
    with _inventory(cli, sim_devices) as devices:
        yield devices


@pytest.fixture
def hanging_inventory(cli, hanging_sim_devices, secret_store):
    with _inventory(cli, hanging_sim_devices) as devices:
        yield devices


def _events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_backup_run_show_history_diff(cli, db, inventory, secret_store):
    first = cli("backup", "run", "--all", "--json")
    assert first.returncode == 0, first.stderr
    events = _events(first.stdout)
    assert events[0]["event"] == "run_started"
    assert events[0]["devices"] == 3
    finished = [e for e in events if e["event"] == "device_finished"]
    assert sorted(e["status"] for e in finished) == ["changed"] * 3
    assert events[-1]["event"] == "run_finished"
    assert events[-1]["status"] == "succeeded"
    assert events[-1]["changed"] == 3

    name = inventory[0][0]
    shown = cli.ok("backup", "show", name)
    assert f"hostname {name}" in shown
    assert "<removed>" in shown
    again = cli("backup", "run", name)
    assert again.returncode == 0
    assert "unchanged" in again.stdout
    assert "Succeeded: 1 devices, 0 changed, 1 unchanged" in again.stdout
    history = cli.json("backup", "history", name)
    assert len(history) == 1
    assert set(history[0]) == {
        "id",
        "captured_at",
        "sha256",
        "lines_added",
        "lines_removed",
        "job_run_id",
        "masked",
    }
    assert history[0]["masked"] is True  # the devices mask secrets (the default)
    assert cli.ok("backup", "show", name, "--snapshot", history[0]["id"]) == shown
    only_one = cli("backup", "diff", name)
    assert only_one.returncode == 2
    one_line_error(only_one, "only one snapshot")
    runs = cli.json("backup", "runs")
    assert [r["status"] for r in runs] == ["succeeded", "succeeded"]

    # No secret in anything the user sees or the database holds.
    outputs = first.stdout + first.stderr + again.stdout + shown + json.dumps(runs)
    with db.sync_engine.connect() as conn:
        tables = [
            t
            for (t,) in conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                    if db.url.is_sqlite
                    else "SELECT tablename FROM pg_tables WHERE schemaname='public'"
                )
            )
        ]
        dump = "".join(repr(conn.execute(text(f'SELECT * FROM "{t}"')).all()) for t in tables)
    raw = (
        b"".join(
            p.read_bytes() for p in Path(db.url.sync_url.database or "/-").parent.glob("*.db*")
        )
        if db.url.is_sqlite
        else b""
    )
    for secret in (PASSWORD, ENABLE):
        assert secret not in outputs
        assert secret not in dump
        assert secret.encode() not in raw
    with db.read_session() as s:
        ref = credential_rows.get_credential_by_name(s, "lab").keyring_ref
    assert secret_store.get(ref) == Secrets(password=PASSWORD, enable=ENABLE)


def test_a_failing_device_makes_the_run_exit_1(cli, inventory):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cli.ok(
        "device",
        "add",
        "gone",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--platform",
        "cisco_ios",
        "--tag",
        "sim",
    )
    result = cli("backup", "run", "--tag", "sim", "--json", "--concurrency", "2")
    assert result.returncode == 1
    events = _events(result.stdout)
    failed = [e for e in events if e["event"] == "device_finished" and e["status"] == "failed"]
    assert [(e["device"], e["error_class"]) for e in failed] == [("gone", "unreachable")]
    assert events[-1]["status"] == "partial"
    human = cli("backup", "run", "gone")
    assert human.returncode == 1
    assert "unreachable" in human.stdout


def test_jobs_run_when_due(cli, db, inventory):
    cli.ok("job", "add", "nightly", "--tag", "sim", "--schedule", "0 2 * * *")
    cli.ok("job", "add", "adhoc", "--device", inventory[0][0])
    listed = {j["name"]: j for j in cli.json("job", "list")}
    assert listed["nightly"]["next_run_at"] is not None
    assert listed["adhoc"]["next_run_at"] is None  # not scheduled
    assert cli.ok("job", "run", "--due").strip() == "no job is due"
    with db.sync_engine.begin() as conn:  # as if the job had been created two days ago
        conn.execute(
            text("UPDATE jobs SET created_at = :t"),
            {"t": "2020-01-01 00:00:00" if db.url.is_sqlite else "2020-01-01Z"},
        )
    assert cli.ok("job", "run", "--due", "adhoc").strip() == "no job is due"  # unscheduled
    with db.read_session() as s:
        [slot] = [due.slot for due in job_service.due_runs(s)]
    due = cli("job", "run", "--due", "nightly", "--json")
    assert due.returncode == 0, due.stderr
    assert _events(due.stdout)[-1]["devices"] == 3
    with db.read_session() as s:  # the run stands for its slot: no one else may run it
        [run] = [r for r in job_rows.list_runs(s) if r.trigger == "schedule"]
    assert run.scheduled_for == slot
    assert cli.json("job", "list")[1]["last_run_at"] is not None
    assert cli.ok("job", "run", "--due").strip() == "no job is due"
    assert "Succeeded: 1 devices, 0 changed, 1 unchanged" in cli.ok("job", "run", "adhoc")
    cli.ok("job", "remove", "adhoc")
    assert [j["name"] for j in cli.json("job", "list")] == ["nightly"]


def test_credential_commands(cli, db, secret_store):
    cli.ok(
        "credential",
        "add",
        "core",
        "--username",
        "netops",
        "--password-stdin",
        "--priority",
        "5",
        "--tag",
        "core",
        stdin="Core-Pa55\n",
    )
    listed = cli.json("credential", "list")
    assert [
        (c["name"], c["username"], c["priority"], c["tags"], c["has_enable_secret"]) for c in listed
    ] == [("core", "netops", 5, ["core"], False)]
    assert "Core-Pa55" not in json.dumps(listed) + cli.ok("credential", "list")
    ref = _only_keyring_ref(db)
    assert secret_store.get(ref).password == "Core-Pa55"
    cli.ok("credential", "remove", "core")
    assert secret_store.get(ref) == Secrets()
    assert cli.json("credential", "list") == []


def _only_keyring_ref(db) -> str:
    with db.read_session() as s:
        return credential_rows.list_credentials(s)[0].keyring_ref


@pytest.mark.parametrize(
    ("args", "stdin", "fragments"),
    [
        (["backup", "run", "ghost"], None, ["name:", "'ghost'"]),
        (["backup", "run"], None, ["devices:", "--all"]),
        (["backup", "run", "--all", "--concurrency", "0"], None, ["--concurrency:"]),
        (["backup", "show", "ghost"], None, ["'ghost'"]),
        (["job", "add", "j", "--all", "--schedule", "61 * * * *"], None, ["--schedule:"]),
        (["job", "add", "j", "--all", "--tag", "x"], None, ["exactly one of"]),
        (["job", "run"], None, ["--due"]),
        (["credential", "add", "c", "--username", "u"], None, ["--password-stdin"]),
        (
            ["credential", "add", "c", "--username", "u", "--password-stdin"],
            "\n",
            ["password:", "must not be empty"],
        ),
        (
            ["credential", "add", "c", "--username", "u", "--ssh-key", "/nonexistent"],
            "\n",
            ["--ssh-key:", "no such file"],
        ),
        (["sim", "--devices", "0"], None, ["--devices:"]),
    ],
)
def test_bad_input_exits_2(cli, args, stdin, fragments):
    result = cli(*args, stdin=stdin)
    assert result.returncode == 2, result.stderr
    one_line_error(result, *fragments)


def test_a_run_notifies_its_webhook_after_committing(cli, db, inventory):
    received: list[tuple[dict, str | None]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((json.loads(body), self.headers.get("Authorization")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        cli.ok("notify", "add-webhook", "ops", "--url", url, "--token-stdin", stdin="Hook-T0ken\n")
        cli.ok("backup", "run", "--all")
    finally:
        server.shutdown()
        server.server_close()
    events = {body["event"]: (body, auth) for body, auth in received}
    assert set(events) == {"config_changed", "job_finished"}
    body, auth = events["job_finished"]
    assert auth == "Bearer Hook-T0ken"
    assert body["data"]["status"] == "succeeded"
    with db.read_session() as s:  # the run was committed before anyone was told
        assert [r.status for r in runs.latest_runs(s)] == ["succeeded"]
    assert "Hook-T0ken" not in cli.ok("notify", "list")


@pytest.mark.parametrize("how", ["cancel line", "end of input"])
def test_cancel_on_stdin_records_unfinished_devices_as_cancelled(cli, db, hanging_inventory, how):
    """The window's portable cancel: a "cancel" line (or a closed pipe), not a signal."""
    proc = subprocess.Popen(
        [*cli.argv(), "backup", "run", "--all", "--json", "--cancel-on-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
    )
    started = 0
    while started < len(hanging_inventory):  # every device is stuck mid-configuration
        started += json.loads(proc.stdout.readline())["event"] == "device_started"
    if how == "cancel line":
        proc.stdin.write("cancel\n")
        proc.stdin.flush()
        proc.wait(timeout=60)  # the pipe stays open: the line alone cancels
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    finished = _events(out)[-1]
    assert (finished["event"], finished["status"], finished["cancelled"]) == (
        "run_finished",
        "cancelled",
        3,
    )
    with db.read_session() as s:
        run = runs.latest_runs(s, limit=1)[0]
        assert run.status == "cancelled"
        assert {r.status for r in runs.run_results(s, run.id)} == {"cancelled"}


def test_a_backup_with_masking_off_is_flagged_until_redacted(cli, inventory):
    name = next(name for name, platform, _ in inventory if platform == "cisco_ios")
    cli.ok("device", "edit", name, "--no-mask-secrets")
    assert cli("backup", "run", name).returncode == 0
    [entry] = cli.json("backup", "history", name)
    assert entry["masked"] is False
    shown = cli("backup", "show", name)
    assert "snmp-server community nms-ro-" in shown.stdout  # the simulator's, in clear
    assert "stored with secrets in clear" in shown.stderr

    assert cli.json("backup", "redact")["changed"] == 1
    [entry] = cli.json("backup", "history", name)
    assert entry["masked"] is True
    shown = cli("backup", "show", name)
    assert "snmp-server community <removed>" in shown.stdout
    assert "nms-ro-" not in shown.stdout
    assert shown.stderr == ""
