"""Time every solution notebook top to bottom at full lab size, in one run.

    python tools/time_solutions.py [ASSIGNMENT...]

Each source notebook (solutions and hidden-test cells) runs with `jupyter nbconvert
--execute`, kernel start included, in a scratch folder holding the layers of the earlier
assignments its release ships; prints the wall-clock seconds of each. README's table of
notebook times comes from this script.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.export import write_layers  # noqa: E402
from autograder.layout import ASSIGNMENTS, SHIPPED_LAYERS, source_notebook  # noqa: E402


def main() -> None:
    for assignment in sys.argv[1:] or ASSIGNMENTS:
        with tempfile.TemporaryDirectory(prefix=f"{assignment}-run-") as scratch:
            folder = Path(scratch)
            for earlier in SHIPPED_LAYERS.get(assignment, ()):
                shutil.copy(write_layers(earlier), folder)
            shutil.copy(source_notebook(assignment), folder)
            started = time.perf_counter()
            done = subprocess.run(
                [str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "notebook",
                 "--execute", "--ExecutePreprocessor.timeout=900", "--output", "executed",
                 f"{assignment}.ipynb"], cwd=folder, capture_output=True, text=True)
            seconds = time.perf_counter() - started
        status = "ok" if done.returncode == 0 else f"FAILED: {done.stderr.strip()[-300:]}"
        print(f"{assignment:12s} {seconds:6.1f} s  {status}", flush=True)


if __name__ == "__main__":
    main()
