"""Cold start: from launching `netraven-desktop` to its main window shown and loaded.

    scripts/bench cold-start [--runs 5]

(or `QT_QPA_PLATFORM=offscreen python -m tests.bench.cold_start_bench`). A benchmark,
not a test: it asserts nothing and pytest never collects it.

Each run starts a fresh interpreter that runs the real GUI entry point (`run_gui`) on a
new embedded database (created and migrated on the way, as on a first start), and
reports the wall time at which `MainWindow.load()` finished: the window is shown, the
schema ready and the pages built. The baseline, measured in the same run, is a fresh
interpreter showing a bare QWidget: the part of the figure no code of ours can remove.
Targets: under 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_S = 1.5

APP = """
import sys, time
from netraven_desktop.ui import app, main_window

loaded = main_window.MainWindow.load

async def load_and_report(self):
    await loaded(self)
    print(f"shown {time.time()!r}", flush=True)
    self.close()

main_window.MainWindow.load = load_and_report
sys.exit(app.run_gui())
"""

BARE_QT = """
import time
from PySide6.QtWidgets import QApplication, QWidget
qt = QApplication([])
window = QWidget()
window.show()
qt.processEvents()
print(f"shown {time.time()!r}", flush=True)
"""


def time_to_shown(script: str, home: str) -> float:
    """Seconds from spawning `python -c script` to its `shown` line."""
    env = os.environ | {"NETRAVEN_HOME": home}
    env.pop("NETRAVEN_DB_URL", None)
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    shown = next(line for line in out.splitlines() if line.startswith("shown "))
    return float(shown.split()[1]) - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    first, warm, bare = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as home:
            first.append(time_to_shown(APP, home))  # creates and migrates the database
            warm.append(time_to_shown(APP, home))  # the usual start: the file exists
            bare.append(time_to_shown(BARE_QT, home))
    baseline = statistics.median(bare)
    print(f"cold start to a shown, loaded main window ({args.runs} runs, median / worst)")
    print(f"  bare Qt window (baseline)   {baseline:6.3f} s / {max(bare):6.3f} s")
    for label, times in (("first start (new database)", first), ("later start", warm)):
        median = statistics.median(times)
        print(
            f"  {label:<27} {median:6.3f} s / {max(times):6.3f} s   "
            f"{median / baseline:4.1f}x baseline   target < {TARGET_S} s: "
            f"{'met' if max(times) < TARGET_S else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
