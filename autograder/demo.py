"""`python -m autograder demo`: an instructor's whole run on a synthesized class.

Release every assignment, write a small class of submissions (a correct one, one with a
typical mistake from the catalog, an empty one, a broken file, one that patches numpy to
cheat), grade them in the sandbox, print the grade table and write `demo/grades.csv`
plus per-student feedback. Scores also land in the course gradebook for formgrader.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from .course import solution_submission, with_answers
from .grader.batch import grade
from .grader.neutral import csv_cell
from .layout import REPO_ROOT, Notebook, NotebookError, available_assignments
from .mutants import catalog
from .notebooks import answer_cells, cell_source
from .release import release
from .solutions import solution_sources

DEMO_DIR = REPO_ROOT / "demo"


def _typical_mistake(assignment: str) -> tuple[str, str, str] | None:
    """(function, patched source, hint) of the first catalog mistake, if there is one."""
    for mutant in catalog(assignment):
        return mutant.function, mutant.source(), mutant.hint
    return None


def synthesize_class(assignment: str, release_notebook: Path) -> dict[str, Notebook | str]:
    """Student id -> submitted notebook (a dict) or raw text for a broken file."""
    released = json.loads(release_notebook.read_text(encoding="utf-8"))
    correct = solution_submission(released, assignment)
    mistake = _typical_mistake(assignment)
    if mistake:
        function, source, _ = mistake
        partly_wrong = with_answers(correct, {function: source})
    else:  # no catalog yet: the last function is left unfinished
        last = list(solution_sources(assignment))[-1]
        partly_wrong = with_answers(correct, {last: released_answer(released, last)})
    first = list(solution_sources(assignment))[0]
    cheat = (released_answer(released, first).replace("raise NotImplementedError()", "pass")
             + "\nimport numpy as np\nnp.allclose = lambda *args, **kwargs: True  # cheat\n")
    return {
        "ada_correct": correct,
        "ben_one_mistake": partly_wrong,
        "cleo_empty": released,
        "dan_broken_file": json.dumps(correct)[: len(json.dumps(correct)) // 2],
        "eve_patches_numpy": with_answers(released, {first: cheat}),
    }


def released_answer(released: Notebook, function: str) -> str:
    """The stub students see in the answer cell of `function`."""
    return cell_source(answer_cells(released)[function])


def write_submissions(folder: Path, assignment: str, students: dict[str, Notebook | str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for student, notebook in students.items():
        path = folder / student / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = notebook if isinstance(notebook, str) else json.dumps(notebook, indent=1)
        path.write_text(text, encoding="utf-8")


def grade_with_kit(assignment: str, submissions: Path, out: Path) -> dict[str, dict]:
    # Scores also go into the course gradebook: written answers are graded in formgrader.
    results = grade(assignment, submissions, out, force=True, gradebook=str(REPO_ROOT))
    return {r.student_id: {"score": r.score, "max_score": r.max_score, "status": r.status}
            for r in results}


def grade_table(rows: dict[str, dict[str, dict]]) -> str:
    """Students down, assignments across: 'score/max status'."""
    assignments = list(rows)
    students = sorted({s for per in rows.values() for s in per})
    header = ["student", *assignments]
    lines = [header]
    for student in students:
        cells = [student]
        for assignment in assignments:
            row = rows[assignment].get(student)
            cells.append("-" if row is None else
                         f"{row['score']:g}/{row['max_score']:g} {row['status']}")
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in lines)


def write_csv(rows: dict[str, dict[str, dict]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "assignment", "score", "max_score", "status"])
        for assignment, per_student in rows.items():
            for student, row in sorted(per_student.items()):
                writer.writerow([csv_cell(student), assignment, row["score"],
                                 row["max_score"], csv_cell(row["status"])])


def run_demo(out: Path = DEMO_DIR, log: Callable[[str], None] = print) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, dict]] = {}
    for assignment in available_assignments():
        release_dir = release(assignment)
        log(f"released {assignment} -> {release_dir.relative_to(REPO_ROOT)}/")
        submissions = out / "submissions" / assignment
        write_submissions(submissions, assignment,
                          synthesize_class(assignment, release_dir / f"{assignment}.ipynb"))
        rows[assignment] = grade_with_kit(assignment, submissions, out / assignment)
    write_csv(rows, out / "grades.csv")
    log("\n" + grade_table(rows))
    log(f"\ngrades: {(out / 'grades.csv').relative_to(REPO_ROOT)}; "
        f"feedback: {out.relative_to(REPO_ROOT)}/<assignment>/feedback/")
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help="output folder (demo/)")


def main(args: argparse.Namespace) -> int:
    try:
        run_demo(args.out.resolve())
    except NotebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
