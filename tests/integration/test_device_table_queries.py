"""The queries behind the device table: plain-row pages, filter choices, bulk tagging.

Run through the sync and async faces on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from netraven_desktop.core.crud import audit as audit_rows
from netraven_desktop.core.crud import devices as device_rows
from netraven_desktop.core.errors import ConflictError, InputError, NotFoundError
from netraven_desktop.core.services import devices as service


def _add(face, name, **fields):
    fields.setdefault("host", "10.0.0.1")
    fields.setdefault("platform", "cisco_ios")
    return face.service(service.add_device, name=name, **fields)


@pytest.fixture
def inventory(face):
    _add(face, "core-sw1", site="DC1", tags=["core", "dc1"], description="spine")
    _add(face, "edge-fw", host="fw.example.net", platform="fortinet", site="branch", tags=["fw"])
    _add(face, "Access-3", host="10.0.3.3", platform="arista_eos", role="access")
    face.service(service.remove_device, "edge-fw")  # in the trash: never listed
    _add(face, "edge-fw2", host="10.9.9.9", platform="fortinet", site="branch")
    return face


def test_rows_are_paged_sorted_and_carry_their_tags(inventory):
    rows = inventory.service(service.list_device_rows, limit=2)
    assert [(r.name, r.tags) for r in rows] == [("Access-3", ()), ("core-sw1", ("core", "dc1"))]
    rest = inventory.service(service.list_device_rows, limit=2, after=rows[1].id)
    assert [r.name for r in rest] == ["edge-fw2"]
    by_host = inventory.service(service.list_device_rows, sort="host", descending=True)
    assert [r.host for r in by_host] == ["10.9.9.9", "10.0.3.3", "10.0.0.1"]
    assert (rows[1].platform, rows[1].site, rows[1].version) == ("cisco_ios", "DC1", 1)


def test_rows_take_the_same_filters_as_the_device_list(inventory):
    def names(**filters):
        return [r.name for r in inventory.service(service.list_device_rows, **filters)]

    assert names(search="SPINE") == ["core-sw1"]
    assert names(search="10.0.") == ["Access-3", "core-sw1"]
    assert names(platform="fortinet") == ["edge-fw2"]
    assert names(site="dc1", tag="CORE") == ["core-sw1"]
    assert names(status="never") == ["Access-3", "core-sw1", "edge-fw2"]
    assert names(status="failed") == []
    assert inventory.service(service.count_devices, search="edge") == 1


def test_an_unknown_sort_key_names_the_field(inventory):
    with pytest.raises(InputError) as err:
        inventory.service(service.list_device_rows, sort="tags")
    assert (err.value.field, err.value.value) == ("sort", "tags")


def test_facets_list_what_live_devices_hold(inventory):
    facets = inventory.service(service.device_facets)
    assert facets.platforms == ["arista_eos", "cisco_ios", "fortinet"]
    assert facets.sites == ["branch", "DC1"]
    assert facets.tags == ["core", "dc1"]  # "fw" is only on a trashed device


def test_tag_devices_adds_and_removes_on_many_devices_with_an_audit(inventory):
    changed = inventory.service(service.tag_devices, ["access-3", "CORE-SW1"], add="Lab")
    assert [d.name for d in changed] == ["Access-3", "core-sw1"]
    rows = {r.name: r for r in inventory.service(service.list_device_rows, tag="lab")}
    assert set(rows) == {"Access-3", "core-sw1"}
    assert rows["core-sw1"].tags == ("core", "dc1", "Lab")
    assert rows["Access-3"].version == 2

    changed = inventory.service(service.tag_devices, ["Access-3", "edge-fw2"], remove="lab")
    assert [d.name for d in changed] == ["Access-3"]  # edge-fw2 did not carry it
    assert [r.name for r in inventory.service(service.list_device_rows, tag="lab")] == ["core-sw1"]
    updates = [
        (e.before, e.after)
        for e in inventory(audit_rows.list_events, entity_type="device")
        if e.action == "device.update" and "tags" in (e.before or {})
    ]
    assert ({"tags": ["Lab"]}, {"tags": []}) in updates


def test_tag_devices_with_an_unknown_device_writes_nothing(inventory):
    with pytest.raises(NotFoundError) as err:
        inventory.service(service.tag_devices, ["core-sw1", "ghost"], add="new")
    assert (err.value.field, err.value.value) == ("name", "ghost")
    assert inventory.service(service.list_device_rows, tag="new") == []


def test_a_tag_only_edit_bumps_the_version_so_a_stale_editor_conflicts(inventory):
    seen = inventory.service(service.show_device, "core-sw1").version
    inventory.service(service.tag_devices, ["core-sw1"], add="lab")
    with pytest.raises(ConflictError):
        inventory.service(service.edit_device, "core-sw1", expected_version=seen, tags=["core"])
    assert inventory.service(service.show_device, "core-sw1").version == seen + 1
    unchanged = inventory.service(service.edit_device, "core-sw1", tags=["LAB", "core", "dc1"])
    assert unchanged.version == seen + 1  # the same set again is no edit


def test_search_ignores_case_and_takes_wildcards_literally(face):
    _add(face, "Core_SW1", description="Rack 5, 100% PoE")
    _add(face, "coreXsw2", host="10.0.0.2")

    def names(search):
        return [r.name for r in face.service(service.list_device_rows, search=search)]

    assert names("cORE") == ["Core_SW1", "coreXsw2"]
    assert names("core_") == ["Core_SW1"]  # "_" is not "any character"
    assert names("100% poe") == ["Core_SW1"]
    assert names("0%") == ["Core_SW1"]
    assert names("%") == ["Core_SW1"]
    assert names("   ") == ["Core_SW1", "coreXsw2"]


@pytest.mark.parametrize(
    ("sort", "descending"),
    [
        ("name", False),
        ("name", True),
        ("site", False),
        ("site", True),
        ("role", True),
        ("platform", False),
        ("last_backup_at", False),
        ("last_backup_at", True),
    ],
)
def test_continuing_after_a_device_gives_the_same_pages_as_offsets(face, sort, descending):
    for i in range(9):  # equal keys and empty keys, so the id tiebreak and nulls matter
        _add(face, f"d{i}", site=("a", "b", None)[i % 3], role=None if i % 2 else f"r{i % 4}")
    query = {"sort": sort, "descending": descending}
    expected = [d.name for d in face(device_rows.list_devices, **query)]  # one ORDER BY
    assert [r.name for r in face.service(service.list_device_rows, **query)] == expected
    pages, after = [], None
    for _ in range(10):  # bounded: a continuation that never ends fails, not hangs
        page = face.service(service.list_device_rows, limit=4, after=after, **query)
        if not page:
            break
        pages.extend(r.name for r in page)
        after = page[-1].id
    assert pages == expected
    # A page reached by offset (the scrollbar dragged past pages never loaded), the
    # keyed-to-empty boundary included.
    by_offset = [
        [r.name for r in face.service(service.list_device_rows, limit=4, offset=o, **query)]
        for o in range(0, 12, 4)
    ]
    assert by_offset == [expected[0:4], expected[4:8], expected[8:12]]
    assert [
        r.name for r in face.service(service.list_device_rows, limit=4, offset=5, **query)
    ] == expected[5:9]


def test_a_negative_offset_names_the_field(inventory):
    with pytest.raises(InputError, match="offset") as raised:
        inventory.service(service.list_device_rows, offset=-1)
    assert "-1" in str(raised.value)


def test_continuing_after_a_device_deleted_for_good_ends_the_listing(inventory):
    first = inventory.service(service.list_device_rows, limit=1)
    inventory.service(service.remove_device, first[0].name, purge=True)
    assert inventory.service(service.list_device_rows, after=first[0].id) == []
