"""Write what grading produced: grades.csv, Gradescope results, feedback pages, a summary.

Everything a student controls (ids, statuses quoting grade_ids, messages quoting their
exceptions, notes) passes through `neutral` on its way out (ids through `visible`, so two
different ids never look alike): no control characters, escape
sequences, bidi overrides or lone surrogates anywhere; no formula in any csv cell; valid
UTF-8 JSON; HTML-escaped feedback.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from .. import precomputed
from ..layout import NotebookError, source_notebook
from ..notebooks import grade_meta, read_notebook
from ..verdict import TestResult
from ..visibility import BEFORE_DUE, Moment, for_assignment, lookup, not_shown_yet
from .job import Record
from .neutral import csv_cell, one_line, visible

MESSAGE_CHARS = 2000


LATE_COLUMNS = ["submitted_at", "late_days", "late_penalty", "adjusted_score"]


def write_csv(records: list[Record], path: Path,
              late: Mapping[str, list[str]] | None = None) -> None:
    """grades.csv; `late` holds each student's LATE_COLUMNS cells (late.late_cells)."""
    names = list(dict.fromkeys(t.name for r in records for t in r.tests))
    with open(path, "w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow([csv_cell(n) for n in ["student_id", "score", "max_score", "status",
                                                *LATE_COLUMNS, *names]])
        for record in records:
            scores = {t.name: t.score for t in record.tests}
            late_cells = (late or {}).get(record.safe_id) or ["", "", "0",
                                                              f"{record.score:g}"]
            writer.writerow([csv_cell(visible(record.student_id), None), f"{record.score:g}",
                             f"{record.max_score:g}", csv_cell(record.status), *late_cells,
                             *(f"{scores.get(n, 0.0):g}" for n in names)])


def gradescope(record: Record, assignment: str | None = None) -> dict:
    """Gradescope's results.json for one student: every test with its visibility
    (`Test.visibility` or the course default); the top-level `output`, which a student
    reads first and at once, names only tests visible at once (`summary_text`)."""
    visibilities = for_assignment(assignment)
    return {
        "score": record.score,
        # Only the first attempts' time: how long a retry took is a signal from a sandbox
        # that held reference outputs.
        "execution_time": round(record.shown_time, 3),
        "output": summary_text(record, visibilities),
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the grader's own log is for staff
        "tests": [{"name": one_line(t.name), "score": t.score, "max_score": t.max_score,
                   "status": "passed" if t.score == t.max_score else "failed",
                   "output": one_line(t.message, MESSAGE_CHARS),
                   "visibility": lookup(visibilities, t.name)}
                  for t in record.tests],
    }


def shown_tests(record: Record, visibilities: dict[str, str], moment: Moment
                ) -> tuple[list[TestResult], Counter[str]]:
    """(the tests a student sees at `moment`, how many of each visibility they do not)."""
    shown = [t for t in record.tests if moment.shows(lookup(visibilities, t.name))]
    unseen = Counter(lookup(visibilities, t.name) for t in record.tests
                     if not moment.shows(lookup(visibilities, t.name)))
    return shown, unseen


TIMED_OUT = re.compile(r"(?:^|: )([A-Za-z_]\w*(?:, [A-Za-z_]\w*)*): timed out\b")


def hung_functions(record: Record) -> list[str]:
    """The graded functions that hung (a test's first attempt "...: f: timed out (on
    ...)"): named to the student whatever the test's visibility, as the status already
    says that something hung (a function name is no secret of a test)."""
    functions = {test.function for test in record.tests}
    found: dict[str, None] = {}
    for test in record.tests:
        for match in TIMED_OUT.finditer(test.message):
            found.update(dict.fromkeys(name for name in match.group(1).split(", ")
                                       if name in functions))
    return list(found)


def summary_text(record: Record, visibilities: dict[str, str],
                 moment: Moment = BEFORE_DUE) -> str:
    """What a student reads first: the status, the score (on the tests shown now when some
    are not), per function its points and the first failing test with its hint, what
    hung, what is not shown yet, the notes. Plain text, one line per item."""
    shown, unseen = shown_tests(record, visibilities, moment)
    lines = [f"Status: {one_line(record.status)}. "
             f"Score {record.score:g} / {record.max_score:g}." if not unseen else
             f"Status: {one_line(record.status)}. Score on the tests shown now "
             f"{sum(t.score for t in shown):g} / {sum(t.max_score for t in shown):g}."]
    for item in summarise(shown):
        line = f"{one_line(item.function)}: {item.score:g} / {item.max_score:g} points"
        if item.first_failure is None:
            lines.append(f"{line}, all tests passed.")
            continue
        reason, hint = split_hint(item.first_failure.message)
        reason = reason.removeprefix(f"{item.function}: ")
        lines.append(f"{line}; first failing test {one_line(item.first_failure.name)}: "
                     f"{one_line(reason, MESSAGE_CHARS)}")
        if hint is not None:
            lines.append(f"  Hint: {one_line(hint, MESSAGE_CHARS)}")
    hung = hung_functions(record)
    if hung:
        lines.append(f"Stopped: {one_line(', '.join(hung))} did not finish in time (an "
                     "endless loop?); the tests that call it score 0.")
    lines += not_shown_yet(unseen)
    lines += [f"Note: {one_line(note, MESSAGE_CHARS)}" for note in record.notes]
    return "\n".join(lines)


HINT = ". Hint: "

# The page is read on laptops and phones: a readable type size, a measure that fits,
# long tokens (test names, shapes) allowed to wrap instead of widening the page.
STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:17px;
line-height:1.5;color:#1f2328;background:#fff;margin:0;padding:1.5rem 1rem}
main{max-width:58rem;margin:0 auto}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.25rem;margin:2rem 0 .75rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.score{font-size:1.2rem}.notice{background:#fff8c5;border:1px solid #d4a72c;
border-radius:6px;padding:.6rem .9rem}
.notes{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:.6rem 2rem}
ul.functions{list-style:none;padding:0;margin:0}
ul.functions li{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;
padding:.6rem .9rem;margin:0 0 .6rem;overflow-wrap:anywhere}
ul.functions li.pass{border-left-color:#1a7f37}ul.functions li.fail{border-left-color:#cf222e}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem;font-weight:600}
.points{white-space:nowrap}.pass .points{color:#1a7f37}.fail .points{color:#cf222e}
.why{margin:.3rem 0 0}.hint{margin:.3rem 0 0;padding-left:.7rem;border-left:3px solid #0969da}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.95rem}
td,th{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.name{overflow-wrap:anywhere;min-width:11rem;width:30%}
td.pts,td.result{white-space:nowrap}td.details{overflow-wrap:anywhere;min-width:14rem}
tr.pass td.result{color:#1a7f37}tr.fail td.result{color:#cf222e;font-weight:600}
@media (max-width:40rem){table,tbody,tr,td{display:block;width:auto;min-width:0}
tr.header{display:none}tr{border:1px solid #d0d7de;border-radius:6px;margin:0 0 .6rem}
td{border:none;padding:.2rem .6rem}td.pts,td.result{display:inline-block}}
"""


def _clean(text: object, limit: int | None = 300) -> str:
    """Student-controlled text as HTML: neutralised to one line, then escaped."""
    return html.escape(one_line(text, limit))


def split_hint(message: str) -> tuple[str, str | None]:
    """(reason, hint): the grader appends the catalog's hint last, after `HINT`."""
    reason, found, hint = message.rpartition(HINT)
    return (reason, hint) if found else (message, None)


@dataclass(frozen=True)
class FunctionSummary:
    """One graded function's line at the top of the feedback page."""

    function: str
    score: float
    max_score: float
    first_failure: TestResult | None


def summarise(tests: Iterable[TestResult]) -> list[FunctionSummary]:
    """Per graded function, in the order of the tests: points and the first failing test."""
    grouped: dict[str, list[TestResult]] = {}
    for test in tests:
        grouped.setdefault(test.function, []).append(test)
    return [FunctionSummary(function, sum(t.score for t in group),
                            sum(t.max_score for t in group),
                            next((t for t in group if not t.passed), None))
            for function, group in grouped.items()]


def written_answers(assignment: str) -> tuple[int, float] | None:
    """(questions, points) of the manually graded cells of the source notebook, or None
    when the assignment has no source notebook here (a grading bundle stores them)."""
    stored = precomputed.active(assignment)
    if stored is not None:
        return stored.written
    try:
        path = source_notebook(assignment)
        return _manual_cells(str(path), path.stat().st_mtime_ns)
    except (NotebookError, OSError):
        return None


@functools.lru_cache(maxsize=8)
def _manual_cells(path: str, _mtime: int) -> tuple[int, float]:
    count, points = 0, 0.0
    for cell in read_notebook(Path(path))["cells"]:
        meta = grade_meta(cell)
        # nbgrader's manually graded answers (graded solution cells) and tasks
        if (meta.get("grade") and meta.get("solution")) or meta.get("task"):
            count += 1
            points += float(meta.get("points") or 0)
    return count, points


def _written_notice(assignment: str) -> str:
    written = written_answers(assignment)
    if written is None:
        return ("<p class=\"notice\">Written answers, if the assignment has any, are graded "
                "by hand and are not included in this score.</p>")
    count, points = written
    if not count:
        return ""
    questions = "question" if count == 1 else "questions"
    return (f"<p class=\"notice\"><b>Written answers ({points:g} points, {count} {questions})"
            f"</b> are graded by hand and are not included in this score yet: the total "
            f"for the assignment is out of {{total}}.</p>")


def _function_item(item: FunctionSummary) -> str:
    e = _clean
    passed = item.first_failure is None
    head = (f"<div class=\"head\"><code>{e(item.function)}</code>"
            f"<span class=\"points\">{item.score:g} / {item.max_score:g} points</span></div>")
    if passed:
        body = "<p class=\"why\">All tests passed.</p>"
    else:
        failure = cast(TestResult, item.first_failure)
        reason, hint = split_hint(failure.message)
        reason = reason.removeprefix(f"{item.function}: ")  # the line already names it
        body = (f"<p class=\"why\">First failing test <code>{e(failure.name)}</code>: "
                f"{e(reason, MESSAGE_CHARS)}</p>")
        if hint is not None:
            body += f"<p class=\"hint\"><b>Hint:</b> {e(hint, MESSAGE_CHARS)}</p>"
    return f"<li class=\"{'pass' if passed else 'fail'}\">{head}{body}</li>"


def feedback_html(record: Record, assignment: str, moment: Moment = BEFORE_DUE,
                  late: str | None = None) -> str:
    """The student's page: score, the written-answer notice, per function the points and
    the first failing test with its hint, then every test. No test code, no solution, and
    no test (name, message, hint) a student may not see at `moment` (default: before the
    due date, grades not published): only how many there are and when they show."""
    e = _clean
    shown, unseen = shown_tests(record, for_assignment(assignment), moment)
    summary = summarise(shown)
    rows = "\n".join(
        f"<tr class=\"{'pass' if t.passed else 'fail'}\">"
        f"<td class=\"name\"><code>{e(t.name)}</code></td>"
        f"<td class=\"pts\">{t.score:g} / {t.max_score:g}</td>"
        f"<td class=\"result\">{'passed' if t.passed else 'failed'}</td>"
        f"<td class=\"details\">{e(t.message, MESSAGE_CHARS)}</td></tr>"
        for t in shown)
    notes = "".join(f"<li>{e(n, MESSAGE_CHARS)}</li>" for n in record.notes)
    written = written_answers(assignment)
    total = record.max_score + (written[1] if written else 0.0)
    notice = _written_notice(assignment).replace("{total}", f"{total:g}")
    late_line = f'<p class="late">{e(late, MESSAGE_CHARS)}</p>' if late else ""
    student = e(visible(record.student_id), None)
    functions = "\n".join(_function_item(item) for item in summary)
    passed = sum(item.first_failure is None for item in summary)
    section = (f"<h2>By function ({passed} of {len(summary)} fully correct)</h2>\n"
               f"<ul class=\"functions\">\n{functions}\n</ul>\n") if summary else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feedback: {e(assignment)}, {student}</title>
<style>{STYLE}</style>
</head><body><main>
<h1>{e(assignment)}: feedback for {student}</h1>
{_score_line(record, shown, bool(unseen))}
{late_line}
{''.join(f'<p class="notice">{e(line)}</p>' for line in not_shown_yet(unseen))}
{notice}
{f'<ul class="notes">{notes}</ul>' if notes else ''}
{section}<h2>Every test</h2>
<div class="table"><table>
<tr class="header"><th>test</th><th>points</th><th>result</th><th>details</th></tr>
{rows}
</table></div>
</main></body></html>
"""


def _score_line(record: Record, shown: list[TestResult], partial: bool) -> str:
    if not partial:
        return (f'<p class="score">Autograded score <b>{record.score:g} / '
                f'{record.max_score:g}</b>\n({_clean(record.status)}).</p>')
    return (f'<p class="score">Autograded score on the tests shown now <b>'
            f'{sum(t.score for t in shown):g} / {sum(t.max_score for t in shown):g}</b>\n'
            f'({_clean(record.status)}).</p>')


def write_student(record: Record, out: Path, assignment: str,
                  late: str | None = None) -> None:
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "results" / f"{record.safe_id}.json").write_text(
        json.dumps(gradescope(record, assignment), indent=1), encoding="utf-8")
    (out / "feedback" / f"{record.safe_id}.html").write_text(
        feedback_html(record, assignment, late=late), encoding="utf-8")


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
