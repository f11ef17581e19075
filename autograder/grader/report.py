"""Write what grading produced: grades.csv, Gradescope results, feedback pages, a summary.

Everything a student wrote (ids, messages quoting their exceptions, output) is escaped
for the medium it lands in: HTML-escaped in feedback, neutralised against spreadsheet
formula injection in the csv.
"""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .job import Record

STATUS_ORDER = ("graded",)


def _cell(value: str) -> str:
    """Keep a spreadsheet from evaluating a student id such as `=HYPERLINK(...)`."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(records: list[Record], path: Path) -> None:
    names = list(dict.fromkeys(t.name for r in records for t in r.tests))
    with open(path, "w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow(["student_id", "score", "max_score", "status", *names])
        for record in records:
            scores = {t.name: t.score for t in record.tests}
            writer.writerow([_cell(record.student_id), f"{record.score:g}",
                             f"{record.max_score:g}", _cell(record.status),
                             *(f"{scores.get(n, 0.0):g}" for n in names)])


def gradescope(record: Record) -> dict:
    """Gradescope's results.json for one student."""
    lines = [f"Status: {record.status}. Score {record.score:g} / {record.max_score:g}."]
    lines += [f"Note: {note}" for note in record.notes]
    return {
        "score": record.score,
        "execution_time": round(record.execution_time, 3),
        "output": "\n".join(lines),
        "tests": [{"name": t.name, "score": t.score, "max_score": t.max_score,
                   "status": "passed" if t.score == t.max_score else "failed",
                   "output": t.message, "visibility": "visible"} for t in record.tests],
    }


def feedback_html(record: Record, assignment: str) -> str:
    """Per-test pass/fail with the one-line reason and hint; no test code, no solution."""
    e = html.escape
    rows = "\n".join(
        f"<tr class=\"{'pass' if t.score == t.max_score else 'fail'}\"><td>{e(t.name)}</td>"
        f"<td>{t.score:g} / {t.max_score:g}</td>"
        f"<td>{'passed' if t.score == t.max_score else 'failed'}</td><td>{e(t.message)}</td></tr>"
        for t in record.tests)
    notes = "".join(f"<li>{e(n)}</li>" for n in record.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Feedback: {e(assignment)}, {e(record.student_id)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}
tr.pass td:nth-child(3){{color:#1a7f37}}tr.fail td:nth-child(3){{color:#cf222e}}</style>
</head><body>
<h1>{e(assignment)}: {e(record.student_id)}</h1>
<p>Score <b>{record.score:g} / {record.max_score:g}</b>. Status: {e(record.status)}.</p>
{f'<ul>{notes}</ul>' if notes else ''}
<table><tr><th>test</th><th>points</th><th>result</th><th>details</th></tr>
{rows}
</table></body></html>
"""


def write_student(record: Record, out: Path, assignment: str) -> None:
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "results" / f"{record.safe_id}.json").write_text(
        json.dumps(gradescope(record), indent=1), encoding="utf-8")
    (out / "feedback" / f"{record.safe_id}.html").write_text(
        feedback_html(record, assignment), encoding="utf-8")


def format_table(records: Iterable[Record]) -> str:
    """A plain-text summary: one line per student, then counts per status."""
    records = list(records)
    if not records:
        return "no submissions found"
    width = min(32, max(10, *(len(r.student_id) for r in records)))
    lines = [f"{'student':<{width}}  {'score':>13}  status", "-" * (width + 30)]
    for r in records:
        name = r.student_id if len(r.student_id) <= width else r.student_id[:width - 1] + "~"
        lines.append(f"{name:<{width}}  {r.score:>6g} / {r.max_score:<4g}  {r.status}")
    counts = Counter(r.status.split(":")[0] for r in records)
    lines.append("-" * (width + 30))
    lines.append(", ".join(f"{n} {s}" for s, n in counts.most_common()))
    return "\n".join(lines)
