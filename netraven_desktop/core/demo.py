"""The demo's throwaway database (`netraven-desktop --demo`): the simulator's devices, a
credential that logs in to them and a job that backs them all up every minute.

The job is written as created two minutes ago, so its first run is due at once and a
newcomer sees a backup within a minute. Rewriting a row's history is honest only here,
in a database made for one demo and deleted when it closes: no service offers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import update

from .db import Database
from .db.base import utcnow
from .db.models import Job
from .db.schema import upgrade
from .secrets import Secrets, SecretStore
from .services import credentials, devices, jobs, tags
from .services.runs import Selection


def fill_demo_database(
    db: Database, store: SecretStore, served: Iterable[tuple[str, str, int]], secrets: Secrets
) -> None:
    """Migrate `db` and add the simulator's devices (`served`: name, platform, port on
    127.0.0.1), the credential `demo` with `secrets`, and the job `demo`, due at once."""
    upgrade(db)
    credentials.add_credential(db, store, name="demo", username="admin", secrets=secrets)
    with db.session() as session:
        tags.add_tag(session, "demo", "devices served by the simulator")
        for name, platform, port in served:
            devices.add_device(
                session,
                name=name,
                host="127.0.0.1",
                port=port,
                platform=platform,
                site="lab",
                tags=["demo"],
            )
        jobs.add_job(session, name="demo", selection=Selection(all=True), schedule="every 1m")
        session.execute(update(Job).values(created_at=utcnow() - timedelta(minutes=2)))
