"""Throughput of the kit's grader against stock `nbgrader autograde`, on the same submissions.

    python benchmarks/grading.py [--n 40] [--workers N]

Both graders see the same N submissions of the `rnn` assignment (half correct, the rest
with a missing or wrong function), in one run, on this machine. Stock nbgrader runs in a
scratch course with KIT_GRADING=1 (labs at their token size, as in grading). The kit's
grader is timed from the call to `grade(...)` (the release notebook, generated once per
assignment and cached, is made before the clock starts). Per-submission overhead is the
wall time of grading a submission minus the time the student's code itself ran.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from autograder.course import Course, solution_submission, with_answers
from autograder.grader import grade
from autograder.grader.batch import release_notebook

STUB = "def {0}(*args, **kwargs):\n    raise NotImplementedError()\n"
WRONG_CLIP = ("import numpy as np\n\ndef clip_grad_norm(grads, max_norm):\n"
              "    return {k: v.copy() for k, v in grads.items()}, 1.0\n")


def submissions(release: dict, n: int) -> dict[str, dict]:
    good = solution_submission(release, "rnn")
    variants = [good, with_answers(good, {"rnn_step_forward": STUB.format("rnn_step_forward")}),
                good, with_answers(good, {"clip_grad_norm": WRONG_CLIP})]
    return {f"student{i:03d}": variants[i % len(variants)] for i in range(n)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    os.environ["KIT_GRADING"] = "1"
    root = Path(tempfile.mkdtemp(prefix="kit-bench-"))
    try:
        course = Course(root / "course")
        course.generate("rnn")
        release = release_notebook("rnn", root / "cache")
        notebooks = submissions(release, args.n)
        folder = root / "subs"
        for student, notebook in notebooks.items():
            course.submit("rnn", student, notebook)
            (folder / student).mkdir(parents=True)
            (folder / student / "rnn.ipynb").write_text(json.dumps(notebook))

        started = time.perf_counter()
        stock = course.autograde("rnn")
        stock_seconds = time.perf_counter() - started

        (root / "out" / ".kit").mkdir(parents=True)
        for cached in (root / "cache").glob("release-*"):
            shutil.copy2(cached, root / "out" / ".kit" / cached.name)
        started = time.perf_counter()
        records = grade("rnn", folder, root / "out", workers=args.workers, force=True,
                        progress=False, log=lambda *a: None)
        kit_seconds = time.perf_counter() - started

        agree = all(sum(stock[r.student_id].get(t.name, -1) == t.score for t in r.tests)
                    == len(r.tests) for r in records)
        per_stock, per_kit = stock_seconds / args.n, kit_seconds / args.n
        wall = statistics.mean(r.execution_time for r in records)
        student = statistics.mean(r.student_time for r in records)
        print(f"{args.n} rnn submissions, {args.workers} workers, {os.cpu_count()} cores")
        print(f"stock nbgrader autograde: {stock_seconds:7.1f} s  {per_stock:6.3f} s/submission")
        print(f"kit grader:               {kit_seconds:7.1f} s  {per_kit:6.3f} s/submission")
        print(f"throughput ratio:         {per_stock / per_kit:7.1f}x")
        print(f"kit, per submission: {wall:.3f} s wall in its worker thread, of which "
              f"{student:.3f} s student code and {wall - student:.3f} s overhead "
              f"(sandbox start, cell loading, messaging, comparison)")
        print(f"same per-test scores as stock nbgrader: {agree}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
