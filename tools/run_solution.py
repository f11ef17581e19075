"""Run one solution notebook top to bottom at full lab size and time it, cell by cell.

    python tools/run_solution.py ASSIGNMENT [executed.ipynb]

(`tools/time_solutions.py` times every notebook with nbconvert; this one shows where the
time goes.) The notebook runs in a scratch folder holding the generated layers of the earlier
assignments (as a release ships them), in the kit's environment, with the setup cells'
thread settings. Prints the wall-clock seconds of the whole run and of each cell that took
more than a second; the executed notebook (outputs and figures) is written where asked.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.export import write_layers  # noqa: E402
from autograder.layout import SHIPPED_LAYERS, source_notebook  # noqa: E402


def main() -> None:
    assignment = sys.argv[1]
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    source = source_notebook(assignment)
    with tempfile.TemporaryDirectory(prefix=f"{assignment}-run-") as scratch:
        folder = Path(scratch)
        for earlier in SHIPPED_LAYERS.get(assignment, ()):
            shutil.copy(write_layers(earlier), folder)
        notebook = nbformat.read(source, as_version=4)
        client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                                resources={"metadata": {"path": str(folder)}})
        started = time.perf_counter()
        times = []
        with client.setup_kernel():
            for index, cell in enumerate(notebook.cells):
                begun = time.perf_counter()
                client.execute_cell(cell, index)
                times.append((time.perf_counter() - begun, index, cell))
        wall = time.perf_counter() - started
    for seconds, index, cell in times:
        if seconds > 1:
            first = cell.source.strip().splitlines()[0][:70] if cell.source.strip() else ""
            print(f"  cell {index:3d}: {seconds:6.1f} s  {first}")
    print(f"wall: {wall:.1f} s for {len(notebook.cells)} cells")
    if out is not None:
        nbformat.write(notebook, out)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
