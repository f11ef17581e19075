"""Write what grading produced: grades.csv, Gradescope results, feedback pages, a summary.

Everything a student controls (ids, statuses quoting grade_ids, messages quoting their
exceptions, notes) passes through `neutral` on its way out (ids through `visible`, so two
different ids never look alike): no control characters, escape
sequences, bidi overrides or lone surrogates anywhere; no formula in any csv cell; valid
UTF-8 JSON; HTML-escaped feedback.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .job import Record
from .neutral import csv_cell, one_line, visible

MESSAGE_CHARS = 2000


def write_csv(records: list[Record], path: Path) -> None:
    names = list(dict.fromkeys(t.name for r in records for t in r.tests))
    with open(path, "w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow([csv_cell(n) for n in ["student_id", "score", "max_score", "status",
                                                *names]])
        for record in records:
            scores = {t.name: t.score for t in record.tests}
            writer.writerow([csv_cell(visible(record.student_id), None), f"{record.score:g}",
                             f"{record.max_score:g}", csv_cell(record.status),
                             *(f"{scores.get(n, 0.0):g}" for n in names)])


def gradescope(record: Record) -> dict:
    """Gradescope's results.json for one student."""
    lines = [f"Status: {one_line(record.status)}. "
             f"Score {record.score:g} / {record.max_score:g}."]
    lines += [f"Note: {one_line(note, MESSAGE_CHARS)}" for note in record.notes]
    return {
        "score": record.score,
        # Only the first attempts' time: how long a retry took is a signal from a sandbox
        # that held reference outputs.
        "execution_time": round(record.shown_time, 3),
        "output": "\n".join(lines),
        "tests": [{"name": one_line(t.name), "score": t.score, "max_score": t.max_score,
                   "status": "passed" if t.score == t.max_score else "failed",
                   "output": one_line(t.message, MESSAGE_CHARS), "visibility": "visible"}
                  for t in record.tests],
    }


def feedback_html(record: Record, assignment: str) -> str:
    """Per-test pass/fail with the one-line reason and hint; no test code, no solution."""
    def e(text: object, limit: int | None = 300) -> str:
        return html.escape(one_line(text, limit))

    rows = "\n".join(
        f"<tr class=\"{'pass' if t.score == t.max_score else 'fail'}\"><td>{e(t.name)}</td>"
        f"<td>{t.score:g} / {t.max_score:g}</td>"
        f"<td>{'passed' if t.score == t.max_score else 'failed'}</td>"
        f"<td>{e(t.message, MESSAGE_CHARS)}</td></tr>"
        for t in record.tests)
    notes = "".join(f"<li>{e(n, MESSAGE_CHARS)}</li>" for n in record.notes)
    student = e(visible(record.student_id), None)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Feedback: {e(assignment)}, {student}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}
tr.pass td:nth-child(3){{color:#1a7f37}}tr.fail td:nth-child(3){{color:#cf222e}}</style>
</head><body>
<h1>{e(assignment)}: {student}</h1>
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
    ids = [visible(r.student_id) for r in records]
    width = min(32, max(10, *(len(i) for i in ids)))
    lines = [f"{'student':<{width}}  {'score':>13}  status", "-" * (width + 30)]
    for r, name in zip(records, ids):
        if len(name) > width:  # cut, with a short hash: two ids never print the same
            digest = hashlib.sha256(name.encode()).hexdigest()[:6]
            name = f"{name[:width - 7]}~{digest}"
        lines.append(f"{name:<{width}}  {r.score:>6g} / {r.max_score:<4g}  "
                     f"{one_line(r.status, 120)}")
    counts = Counter(one_line(r.status.split(":")[0], 40) for r in records)
    lines.append("-" * (width + 30))
    lines.append(", ".join(f"{n} {s}" for s, n in counts.most_common()))
    return "\n".join(lines)
