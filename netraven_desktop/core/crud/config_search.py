"""Queries behind configuration search: candidate blobs from the trigram index, and the
snapshots in scope. The index only narrows; `services.config_search` finds the lines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import ConfigSnapshot, Device, Tag
from ..db.models.configs import config_search

# A trigram index cannot look up anything shorter.
MIN_INDEXED = 3


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def candidate_blobs(session: Session, literals: Sequence[str], ignore_case: bool) -> set[str]:
    """Digests of the blobs whose text contains every literal (each >= MIN_INDEXED chars).

    A query of its own rather than a subquery: right after a bulk load PostgreSQL has no
    statistics yet and re-ran the LIKE once per snapshot (4 s instead of 20 ms).

    SQLite: an FTS5 phrase query, which ignores case (a superset for a case-sensitive
    search). PostgreSQL: LIKE (or ILIKE), which pg_trgm's GIN index serves and rechecks.
    """
    text = config_search.c.text
    if session.get_bind().dialect.name == "sqlite":
        phrases = " AND ".join('"' + literal.replace('"', '""') + '"' for literal in literals)
        stmt = select(config_search.c.sha256).where(text.match(phrases))
    else:
        like = text.ilike if ignore_case else text.like
        stmt = select(config_search.c.sha256).where(
            *(like(f"%{_like_escaped(literal)}%", escape="\\") for literal in literals)
        )
    return set(session.scalars(stmt))


def snapshots_in_scope(
    session: Session,
    *,
    latest_only: bool,
    device_ids: Sequence[uuid.UUID] = (),
    tags: Sequence[str] = (),
) -> list[tuple[uuid.UUID, datetime, str, str]]:
    """(snapshot id, captured at, blob digest, device name) of live devices, by device name
    then newest first: each device's latest snapshot, or its whole history.

    Optional filters: any of `device_ids`, devices with any of `tags`.
    """
    columns = [
        ConfigSnapshot.id,
        ConfigSnapshot.captured_at,
        ConfigSnapshot.blob_sha256,
        ConfigSnapshot.device_id,
    ]
    if latest_only:
        newest_first = (ConfigSnapshot.captured_at.desc(), ConfigSnapshot.id.desc())
        rank = func.row_number().over(partition_by=ConfigSnapshot.device_id, order_by=newest_first)
        columns.append(rank.label("rank"))
    inner = select(*columns)
    if device_ids:
        inner = inner.where(ConfigSnapshot.device_id.in_(device_ids))
    snap = inner.subquery()
    stmt = (
        select(snap.c.id, snap.c.captured_at, snap.c.blob_sha256, Device.name)
        .join(Device, Device.id == snap.c.device_id)
        .where(Device.deleted_at.is_(None))
        .order_by(func.lower(Device.name), snap.c.captured_at.desc(), snap.c.id)
    )
    if latest_only:
        stmt = stmt.where(snap.c.rank == 1)
    if tags:
        lowered = [tag.strip().lower() for tag in tags]
        stmt = stmt.where(Device.tags.any(func.lower(Tag.name).in_(lowered)))
    return list(session.execute(stmt).tuples())
