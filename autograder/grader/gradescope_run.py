"""What `run_autograder` runs on Gradescope: grade /autograder/submission/ into
/autograder/results/results.json with the kit's sandboxed grader.

`python -m autograder.grader.gradescope_run [--root DIR]` (the root defaults to
$KIT_GRADESCOPE_ROOT, else /autograder) reads the bundle's settings and stored reference
from DIR/source/kit/ (`autograder.gradescope` wrote them), finds the student's notebook
whatever the upload is called, grades it like `python -m autograder grade` grades one
student, and writes results.json. It never ends without a valid results.json: whatever
fails, the student gets score 0 and one line saying what went wrong (and staff the
traceback in Gradescope's stdout log).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .. import precomputed
from ..files import write_whole
from .batch import _read_notebook
from .collect import _student
from .job import Job, grade_submission_safely
from .neutral import one_line
from .report import format_table, gradescope
from .zygote import Limits

ROOT = Path("/autograder")
SETTINGS = "gradescope.json"
STUDENT = "submission"


def protect_reference(kit: Path) -> None:
    """Make the stored reference (kit/data/) readable by its owner only. Where the
    container refuses the sandbox its namespaces (a default Docker container: no
    CAP_SYS_ADMIN), the student's code runs as another uid in the real file system, and
    world-readable expected outputs and helper solutions there would be one `open` away.
    (Files this user may not change stay as they are: not root, the sandbox runs as this
    user anyway.)"""
    data = kit / "data"
    if not data.is_dir():
        return
    for path in [data, *data.rglob("*")]:
        try:
            path.chmod(path.stat().st_mode & 0o700)
        except OSError:
            pass


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write results.json whole or not at all (a reader never sees half a file)."""
    write_whole(path, json.dumps(results, indent=1, ensure_ascii=False).encode("utf-8"))


def failure_results(message: str) -> dict[str, Any]:
    """A valid results.json for a submission that could not be graded at all."""
    return {"score": 0.0, "execution_time": 0.0, "visibility": "visible",
            "stdout_visibility": "hidden",
            "output": f"The autograder could not grade this submission: {one_line(message)}. "
                      "Please tell the course staff.", "tests": []}


def grade_upload(root: Path) -> dict[str, Any]:
    """Grade the one student under `root`/submission; the results.json contents."""
    kit = root / "source" / "kit"
    protect_reference(kit)
    settings = json.loads((kit / SETTINGS).read_text(encoding="utf-8"))
    assignment = settings["assignment"]
    data = precomputed.load(kit / settings["data"])
    precomputed.install(data)
    found = _student(root, STUDENT, assignment, None)
    notebook, problem, notes = None, found.problem, list(found.notes)
    if found.notebook is not None and problem is None:
        notebook, problem, note = _read_notebook(found.notebook)
        notes += [note] if note else []
    limits = Limits(timeout=float(settings["timeout"]), memory_mb=int(settings["memory_mb"]))
    job = Job(STUDENT, STUDENT, assignment, data.release, limits, notebook, problem, notes)
    record = grade_submission_safely(job)
    print(format_table([record]))
    for note in record.notes:
        print(f"note: {note}")
    print(f"isolation: {', '.join(record.isolation) or 'none reported'}; "
          f"{record.execution_time:.1f} s")
    return gradescope(record, assignment)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get("KIT_GRADESCOPE_ROOT") or ROOT),
                        help="Gradescope's /autograder folder (default: $KIT_GRADESCOPE_ROOT "
                             "or /autograder)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.grader.gradescope_run",
                                     description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    results_path = args.root / "results" / "results.json"
    started = time.perf_counter()
    try:
        results = grade_upload(args.root)
    except BaseException as err:  # noqa: BLE001 - the student always gets a results.json
        traceback.print_exc()
        results = failure_results(f"{type(err).__name__}: {err}")
        results["execution_time"] = round(time.perf_counter() - started, 3)
    write_results(results_path, results)
    print(f"wrote {results_path}: score {results['score']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
