"""Put the autograded scores into nbgrader's gradebook, next to the written answers.

Given a course root (or a database URL), each student gets a submission of the assignment
in the gradebook with `auto_score` set on every autograded test cell, exactly as
`nbgrader autograde` would record it; manually graded cells (written answers) are left
`needs_manual_grade`, so formgrader lists them and `nbgrader export` sees both. With a
course root, the submitted notebook is also copied to `autograded/<student>/<assignment>/`,
which is where formgrader reads it from. Students are stored under their sanitized id.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import timezone
from pathlib import Path

from .job import Record
from .late import Lateness
from .tamper import parse


def _locate(target: str) -> tuple[str, Path | None]:
    """(database URL, course root or None) from a URL, a .db file or a course root."""
    if "://" in target:
        return target, None
    path = Path(target).resolve()
    if path.is_dir():
        return f"sqlite:///{path / 'gradebook.db'}", path
    return f"sqlite:///{path}", None


def write_gradebook(target: str, assignment: str, records: list[Record],
                    notebooks: dict[str, bytes],
                    lateness: Mapping[str, Lateness] | None = None) -> None:
    """Scores into nbgrader's gradebook; with `lateness`, also each submission's timestamp
    (naive UTC, as nbgrader stores it) and the late penalty, on its first notebook, where
    nbgrader's own late-submission plugin puts it (`nbgrader export` subtracts it)."""
    from nbgrader.api import Gradebook, MissingEntry

    db_url, root = _locate(target)
    # nbgrader's own add_submission triggers a harmless SQLAlchemy autoflush warning.
    with warnings.catch_warnings(), Gradebook(db_url) as gradebook:
        warnings.simplefilter("ignore")
        try:
            notebook_names = [nb.name for nb in gradebook.find_assignment(assignment).notebooks]
        except MissingEntry:
            raise SystemExit(f"the gradebook has no assignment {assignment!r}: run "
                             f"`nbgrader generate_assignment {assignment}` in that course "
                             f"first") from None
        for record in records:
            gradebook.update_or_create_student(record.safe_id)
            try:
                submission = gradebook.find_submission(assignment, record.safe_id)
            except MissingEntry:
                submission = gradebook.add_submission(assignment, record.safe_id)
            scores = {t.name: t.score for t in record.tests}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in scores:
                        grade.auto_score = scores[grade.name]
                        grade.needs_manual_grade = grade.manual_score is not None
                    elif grade.auto_score is None:
                        grade.needs_manual_grade = True
            late = (lateness or {}).get(record.safe_id)
            if late is not None and late.submitted_at is not None:
                submission.timestamp = late.submitted_at.astimezone(timezone.utc).replace(
                    tzinfo=None)
            if late is not None and submission.notebooks:
                for index, notebook in enumerate(submission.notebooks):
                    notebook.late_submission_penalty = late.penalty if index == 0 else 0.0
            gradebook.db.commit()
            data = notebooks.get(record.safe_id)
            if root is not None and data is not None and parse(data)[0] is not None:
                folder = root / "autograded" / record.safe_id / assignment
                folder.mkdir(parents=True, exist_ok=True)
                name = assignment if assignment in notebook_names else notebook_names[0]
                (folder / f"{name}.ipynb").write_bytes(data)
