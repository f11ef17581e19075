"""Grade the attack corpus with stock `nbgrader autograde` and with the kit; print a table.

    python tests/attacks/measure_stock.py [WORKDIR]

Attacks marked STOCK_SAFE = False (fork/memory bombs, disk fill, gigabytes of output,
signals to the parent) are not run under stock nbgrader, which has no limits: the table
says so. Attacks that poison the whole stock batch (the schema_version bomb stops it; writing
into the gradebook rewrites everyone's scores) each run in a stock batch of their own,
next to one good submission.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus  # noqa: E402

from autograder.course import Course  # noqa: E402
from autograder.grader import grade  # noqa: E402
from autograder.suite import tests_for  # noqa: E402

BATCH_POISONERS = ("schema_version_bomb", "write_outputs")


def verdict(score: float | None, expected: float, total: float) -> str:
    if score is None:
        return "no score (submission skipped or batch stopped)"
    if abs(score - expected) < 1e-9:
        return f"{score:g}/{total:g} (correct)"
    return f"{score:g}/{total:g} (deserved {expected:g})"


def stock_batch(course: Course, students: dict[str, bytes]) -> dict[str, float]:
    shutil.rmtree(course.root / "submitted", ignore_errors=True)
    shutil.rmtree(course.root / "autograded", ignore_errors=True)
    (course.root / "gradebook.db").unlink(missing_ok=True)
    course.generate("rnn")
    for student, data in students.items():
        course.submit("rnn", student, data.decode("utf-8", "replace"))
    course.nbgrader("autograde", "rnn", "--force", "--CourseDirectory.source_directory=source",
                    "--Execute.timeout=20", check=False)
    return {s: sum(g.values()) for s, g in course.scores("rnn").items()}


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="kit-stock-"))
    course = Course(work / "course")
    release = json.loads(course.generate("rnn").read_text())
    attacks = corpus.build(work / "subs", release)
    tests = tests_for("rnn")
    total = sum(t.points for t in tests)
    kit = {r.student_id: r for r in grade("rnn", work / "subs", work / "out", workers=2,
                                          timeout=10, memory_mb=256, progress=False)}
    safe, alone = {}, {}
    for attack in attacks:
        if (attack.get("STOCK_SAFE", True) is False or attack.get("layout")
                or attack.get("STOCK_SKIP")):
            continue
        path = work / "subs" / attack.student / "rnn.ipynb"
        student = "".join(ch if ch.isalnum() else "_" for ch in attack.student)
        if attack.name in BATCH_POISONERS:
            alone[student] = path.read_bytes()
        else:
            safe[student] = path.read_bytes()
        attack.stock_id = student
    stock = stock_batch(course, safe)
    good = (work / "subs" / "extra_notebook" / "rnn" / "rnn.ipynb").read_bytes()
    stock_alone = {student: stock_batch(course, {student: data, "good": good})
                   for student, data in alone.items()}
    rows = ["| attack | stock nbgrader 0.9.6 | the kit's grader |", "| --- | --- | --- |"]
    for attack in attacks:
        expected = sum(corpus.expected_scores(attack, tests).values())
        record = kit[attack.student]
        mine = f"{verdict(record.score, expected, total)}, status `{record.status}`"
        if attack.get("layout"):
            theirs = "n/a (folder layout; nbgrader needs `<student>/<assignment>/<nb>.ipynb`)"
        elif attack.get("STOCK_SKIP"):
            theirs = "not run in the batch: " + attack.get("STOCK_SKIP")
        elif attack.get("STOCK_SAFE", True) is False:
            theirs = "not run: no limits in stock nbgrader (would run unbounded on the host)"
        elif attack.name in BATCH_POISONERS:
            batch = stock_alone[attack.stock_id]
            theirs = verdict(batch.get(attack.stock_id), expected, total)
            good_score = batch.get("good")
            if good_score is None:
                theirs += "; the good submission in the same batch got no score either"
            elif abs(good_score - total) > 1e-9:
                theirs += f"; the good submission in the same batch got {good_score:g}"
        else:
            theirs = verdict(stock.get(attack.stock_id), expected, total)
        rows.append(f"| {attack.name}: {attack.doc} | {theirs} | {mine} |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
