"""Search configs: the window's face of `backup search`, over a real database."""

from __future__ import annotations

import gc

from netraven_desktop.ui.pages.search import FoundLinesModel, SearchPage
from tests.snapshots import device_with_configs

CORE = "hostname core1\nsnmp-server community <removed> RO\ninterface Vlan10\n"
EDGE = "hostname edge1\ninterface Gi0/1\n"


def test_search_lists_matching_lines_and_opens_the_device(
    open_page, run_async, app_ctx, qtmodeltester
):
    device_with_configs(app_ctx.db, "core1", ["hostname core1\n", CORE], tag_names=["core"])
    device_with_configs(app_ctx.db, "edge1", [EDGE])
    page = open_page(SearchPage)
    page.pattern.setText("snmp-server community")
    run_async(page.search())

    model = page.model
    qtmodeltester.check(model)
    row = [model.index(0, c).data() for c in (FoundLinesModel.COL_DEVICE, FoundLinesModel.COL_LINE)]
    assert row == ["core1", "2"]
    assert model.index(0, FoundLinesModel.COL_TEXT).data() == "snmp-server community <removed> RO"
    assert page.summary.text() == "1 matching line in 1 snapshot"

    opened = []
    app_ctx.events.device_opened.connect(opened.append)
    page.view.doubleClicked.emit(model.index(0, FoundLinesModel.COL_TEXT))
    assert opened == ["core1"]


def test_regex_tag_and_history_options(open_page, run_async, app_ctx):
    device_with_configs(app_ctx.db, "core1", ["hostname core1\n", CORE], tag_names=["core"])
    device_with_configs(app_ctx.db, "edge1", [EDGE])
    page = open_page(SearchPage)
    page.pattern.setText(r"^hostname \w+1$")
    page.regex.setChecked(True)
    run_async(page.search())
    assert page.summary.text() == "2 matching lines in 2 snapshots"

    page.history.setChecked(True)
    run_async(page.search())
    assert page.summary.text() == "3 matching lines in 3 snapshots"

    page.tag.setCurrentText("core")
    run_async(page.search())
    assert {page.model.index(r, 0).data() for r in range(page.model.rowCount())} == {"core1"}


def test_a_bad_regex_is_explained_and_nothing_is_listed(qtbot, open_page, run_async, app_ctx):
    device_with_configs(app_ctx.db, "edge1", [EDGE])
    page = open_page(SearchPage)
    page.pattern.setText("interface (Gi")
    page.regex.setChecked(True)
    page.start()
    qtbot.waitUntil(lambda: page.summary.text().startswith("--regex"))
    assert "interface (Gi" in page.summary.text()
    assert page.model.rowCount() == 0


def test_many_matching_lines_give_the_garbage_collector_nothing_to_walk(
    open_page, run_async, app_ctx
):
    """A search's lines stay columns, not one object each: a search over many
    configurations finds ~300,000 lines, and each object would be walked by the
    collector with the GIL held (the window stalled) once the search ends."""
    lines = 3_000
    device_with_configs(
        app_ctx.db, "core1", ["".join(f"interface Gi0/{n}\n" for n in range(lines))]
    )
    page = open_page(SearchPage)
    page.pattern.setText("no such line")
    run_async(page.search())
    gc.collect()
    before = len(gc.get_objects())

    page.pattern.setText("interface Gi0/")
    run_async(page.search())
    gc.collect()

    assert page.model.rowCount() == lines
    assert (
        page.model.index(lines - 1, FoundLinesModel.COL_TEXT).data() == f"interface Gi0/{lines - 1}"
    )
    assert len(gc.get_objects()) - before < lines // 10
