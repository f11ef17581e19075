"""`python -m autograder similarity ASSIGNMENT SUBMISSIONS --out DIR`: which students'
answers look alike.

Every student's answer cells (the graded functions, read exactly as the grader reads them:
`tamper.inspect`, IPython's input transformation, never run) are fingerprinted with
copydetect (tokenised by Pygments, names and strings normalised, k-grams hashed and
winnowed). The release's own starter code (signatures, docstrings, stubs) is boilerplate:
its k-grams never count. An answer cell that adds fewer than `MIN_TOKENS` normalised
characters to the starter code is trivially short and left out, and a student with nothing
left is listed as not compared.

Pairs are screened at once for the whole class: shared fingerprints of every pair come
from one matrix product (numpy, in column blocks), so the cost grows with the number of
pairs only inside BLAS. Pairs whose share reaches `min_score` are then compared by
copydetect itself (`compare_files`: token overlap and the matching regions). Writes
`DIR/similarity.html` (sortable table; each pair's code side by side, matches highlighted)
and `DIR/similarity.csv`. Student-controlled text (ids, code) goes through `neutral`
and is HTML-escaped; csv cells never start a formula.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .grader.batch import STATE, _read_notebook, release_notebook
from .grader.collect import open_submissions
from .grader.neutral import block, csv_cell, one_line, visible
from .grader.tamper import inspect
from .grader.zipsafe import ZipRefused
from .notebooks import answer_cells, cell_source, python_source

NOISE = 25          # copydetect's noise threshold: k, in normalised characters
GUARANTEE = 30      # a match this long is always found (winnowing window = 6)
MIN_TOKENS = 40     # normalised characters an answer must add to the starter code
THRESHOLD = 0.5     # pairs at or above are flagged
MIN_SCORE = 0.2     # pairs below are neither compared in detail nor listed
TOP = 200           # pairs shown with their code in the HTML report
TABLE_ROWS = 5000    # pairs in the HTML table (the csv lists them all)
BLOCK = 2048        # fingerprint columns per block of the screening product


@dataclass
class Student:
    student_id: str
    safe_id: str
    code: str = ""                       # kept answer cells, neutralised, with headers
    functions: list[str] = field(default_factory=list)
    fingerprint: Any = None              # copydetect.detector.CodeFingerprint
    note: str | None = None              # why this student is not compared


@dataclass
class Pair:
    a: Student
    b: Student
    sim_a: float                         # share of a's answer found in b's
    sim_b: float
    tokens: int                          # normalised characters in common
    slices_a: np.ndarray
    slices_b: np.ndarray

    @property
    def score(self) -> float:
        return max(self.sim_a, self.sim_b)


@dataclass
class Result:
    students: list[Student]
    pairs: list[Pair]                    # compared in detail, best first
    compared: int                        # students with fingerprints
    screened: int                        # pairs screened
    notes: list[str]
    seconds: dict[str, float]


def _fingerprint(code: str, name: str, boilerplate: np.ndarray | None = None,
                 window: int = GUARANTEE - NOISE + 1) -> Any:
    from copydetect.detector import CodeFingerprint

    return CodeFingerprint(name, NOISE, window, boilerplate, True, "python",
                           fp=io.StringIO(code))


def starter_hashes(release: dict[str, Any]) -> np.ndarray:
    """Every k-gram hash of the release's answer cells (copydetect's boilerplate)."""
    hashes = [_fingerprint(python_source(cell_source(cell)), f"{gid}.py", window=1).hashes
              for gid, cell in answer_cells(release).items()]
    return np.unique(np.array([h for found in hashes for h in found], dtype=np.int64))


def _answers(data: bytes, release: dict[str, Any]) -> tuple[dict[str, str], list[str], str | None]:
    inspection = inspect(data, release)
    return inspection.answers, inspection.notes, inspection.invalid


def starter_lines(release: dict[str, Any]) -> dict[str, set[str]]:
    """The lines of each released answer cell (signature, docstring, stubs), stripped."""
    return {gid: {line.strip() for line in python_source(cell_source(cell)).splitlines()}
            for gid, cell in answer_cells(release).items()}


def _added(source: str, starter: set[str]) -> str:
    """The lines of an answer that the starter code does not have (in linear time)."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() and line.strip() not in starter)


def _student(student: Student, data: bytes | None, problem: str | None,
             release: dict[str, Any], boilerplate: np.ndarray,
             starter: dict[str, set[str]]) -> Student:
    if data is None:
        student.note = one_line(problem or "no notebook")
        return student
    try:
        answers, _, invalid = _answers(data, release)
        if invalid:
            student.note = one_line(f"invalid notebook: {invalid}")
            return student
        parts = []
        for gid, source in answers.items():
            text = block(_added(source, starter.get(gid, set())), None)
            cell = _fingerprint(text, f"{student.safe_id}.py", boilerplate)
            if cell.token_coverage >= MIN_TOKENS:
                parts.append(f"# ---- {gid} ----\n{text.strip()}\n")
                student.functions.append(gid)
        if not parts:
            student.note = "blank or trivially short answers: not compared"
            return student
        student.code = "\n".join(parts)
        student.fingerprint = _fingerprint(student.code, f"{student.safe_id}.py", boilerplate)
        if not student.fingerprint.hashes:
            student.fingerprint, student.note = None, "only starter code: not compared"
    except Exception as err:  # noqa: BLE001 - one student's notebook never stops the report
        student.fingerprint = None
        student.note = one_line(f"could not be read ({type(err).__name__})")
    return student


def shared_counts(sets: list[set[int]]) -> np.ndarray:
    """Fingerprints each pair of students has in common (n x n), from one matrix product
    over the fingerprints that at least two students have."""
    n = len(sets)
    counts = np.zeros((n, n), dtype=np.float32)
    if n < 2:
        return counts
    owner = np.repeat(np.arange(n), [len(s) for s in sets])
    hashes = np.fromiter((h for s in sets for h in s), dtype=np.int64, count=len(owner))
    values, column, seen = np.unique(hashes, return_inverse=True, return_counts=True)
    keep = seen[column] >= 2
    owner, column = owner[keep], np.searchsorted(np.flatnonzero(seen >= 2), column[keep])
    width = int((seen >= 2).sum())
    for start in range(0, width, BLOCK):
        inside = (column >= start) & (column < start + BLOCK)
        matrix = np.zeros((n, min(BLOCK, width - start)), dtype=np.float32)
        matrix[owner[inside], column[inside] - start] = 1.0
        counts += matrix @ matrix.T
    return counts


def compare(students: list[Student], min_score: float = MIN_SCORE,
            seconds: dict[str, float] | None = None) -> tuple[list[Pair], int]:
    """Pairs whose shared fingerprints reach `min_score` of either side, compared by
    copydetect; best first. Also returns the number of pairs screened."""
    from copydetect.detector import compare_files

    started = time.perf_counter()
    ready = [s for s in students if s.fingerprint is not None]
    sizes = np.array([len(s.fingerprint.hashes) for s in ready], dtype=np.float32)
    counts = shared_counts([s.fingerprint.hashes for s in ready])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = counts / np.minimum(sizes[:, None], sizes[None, :])
    # winnowing selects about the same fingerprints from the same code: a margin
    rows, cols = np.nonzero(np.triu(share >= 0.8 * min_score, k=1))
    screened = time.perf_counter()
    pairs = []
    for i, j in zip(rows.tolist(), cols.tolist()):
        a, b = ready[i], ready[j]
        tokens, (sim_a, sim_b), (slices_a, slices_b) = compare_files(a.fingerprint,
                                                                     b.fingerprint)
        pair = Pair(a, b, float(sim_a), float(sim_b), int(tokens), slices_a, slices_b)
        if pair.score >= min_score:
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.a.student_id, p.b.student_id))
    if seconds is not None:
        seconds["screen"] = screened - started
        seconds["detail"] = time.perf_counter() - screened
    return pairs, len(ready) * (len(ready) - 1) // 2


def similarity(assignment: str, submissions: Path, out: Path,
               release: dict[str, Any] | None = None, threshold: float = THRESHOLD,
               min_score: float = MIN_SCORE, top: int = TOP, log=print) -> Result:
    """Compare every pair of students under `submissions`; write the report into `out`."""
    import tempfile

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    submissions, out = Path(submissions), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    release = release if release is not None else release_notebook(assignment, out / STATE)
    boilerplate, starter = starter_hashes(release), starter_lines(release)
    students: list[Student] = []
    with tempfile.TemporaryDirectory(prefix="kit-similarity-") as scratch:
        found, warnings = open_submissions(submissions, Path(scratch), assignment)
        for warning in warnings:
            log(f"warning: {one_line(warning)}")
        read = time.perf_counter()
        for item in found:
            data, problem = None, item.problem
            if item.notebook is not None and problem is None:
                data, problem, note = _read_notebook(item.notebook)
                problem = note or problem
            students.append(_student(Student(item.student_id, item.safe_id), data, problem,
                                     release, boilerplate, starter))
    fingerprinted = time.perf_counter()
    seconds: dict[str, float] = {}
    pairs, screened = compare(students, min_score, seconds)
    compared = time.perf_counter()
    notes = [f"{visible(s.student_id)}: {s.note}" for s in students if s.note]
    result = Result(students, pairs, sum(s.fingerprint is not None for s in students),
                    screened, notes, seconds)
    write_csv(result, out / "similarity.csv", threshold)
    (out / "similarity.html").write_text(report_html(result, assignment, threshold, top),
                                         encoding="utf-8")
    result.seconds.update({"release": read - started, "fingerprints": fingerprinted - read,
                           "pairs": compared - fingerprinted,
                           "report": time.perf_counter() - compared})
    return result


def write_csv(result: Result, path: Path, threshold: float = THRESHOLD) -> None:

    with open(path, "w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow(["rank", "student_a", "student_b", "score", "similarity_a",
                         "similarity_b", "shared_tokens", "flagged"])
        for rank, pair in enumerate(result.pairs, 1):
            writer.writerow([rank, csv_cell(visible(pair.a.student_id), None),
                             csv_cell(visible(pair.b.student_id), None), f"{pair.score:.3f}",
                             f"{pair.sim_a:.3f}", f"{pair.sim_b:.3f}", pair.tokens,
                             "yes" if pair.score >= threshold else "no"])


STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem 2rem;color:#1f2328}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem}
th{background:#f6f8fa;cursor:pointer;user-select:none}th:after{content:" \\2195";color:#888}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.flag td{background:#ffebe9}
td.id{overflow-wrap:anywhere;max-width:22rem}
.pair{border-top:2px solid #d0d7de;margin-top:1.5rem}.side{display:grid;
grid-template-columns:1fr 1fr;gap:1rem}pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;
font-size:.8rem;white-space:pre-wrap;overflow-wrap:anywhere}mark{background:#ffd8b5}
"""

SORT = """
document.querySelectorAll('th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0], up = th.dataset.up !== '1';
    th.dataset.up = up ? '1' : '0';
    Array.from(body.rows).sort(function(r, s){
      var a = r.cells[col].dataset.v, b = s.cells[col].dataset.v;
      var x = parseFloat(a), y = parseFloat(b);
      var c = (isNaN(x) || isNaN(y)) ? a.localeCompare(b) : x - y;
      return up ? c : -c;
    }).forEach(function(r){ body.appendChild(r); });
  });
});
"""


def _code(text: str, slices: np.ndarray) -> str:
    from copydetect.utils import highlight_overlap

    if slices.size == 0:
        return html.escape(text)
    marked, _ = highlight_overlap(text, slices.astype(np.int64), "<mark>", "</mark>",
                                  escape_html=True)
    return str(marked)


def report_html(result: Result, assignment: str, threshold: float = THRESHOLD,
                top: int = TOP) -> str:

    def name(student: Student) -> str:
        return html.escape(visible(student.student_id), quote=True)

    rows, details = [], []
    for rank, pair in enumerate(result.pairs[:TABLE_ROWS], 1):
        shown = rank <= top
        link = f"<a href=\"#pair-{rank}\">{rank}</a>" if shown else str(rank)
        flag = " class=\"flag\"" if pair.score >= threshold else ""
        rows.append(
            f"<tr{flag}>"
            f"<td class=\"num\" data-v=\"{rank}\">{link}</td>"
            f"<td class=\"id\" data-v=\"{name(pair.a)}\">{name(pair.a)}</td>"
            f"<td class=\"id\" data-v=\"{name(pair.b)}\">{name(pair.b)}</td>"
            f"<td class=\"num\" data-v=\"{pair.score:.4f}\">{pair.score:.0%}</td>"
            f"<td class=\"num\" data-v=\"{pair.sim_a:.4f}\">{pair.sim_a:.0%}</td>"
            f"<td class=\"num\" data-v=\"{pair.sim_b:.4f}\">{pair.sim_b:.0%}</td>"
            f"<td class=\"num\" data-v=\"{pair.tokens}\">{pair.tokens}</td></tr>")
        if shown:
            details.append(
                f"<section class=\"pair\" id=\"pair-{rank}\"><h3>{rank}. {name(pair.a)} and "
                f"{name(pair.b)}: {pair.score:.0%}</h3><div class=\"side\">"
                f"<div><b>{name(pair.a)}</b> ({pair.sim_a:.0%} of it matched)"
                f"<pre>{_code(pair.a.code, pair.slices_a)}</pre></div>"
                f"<div><b>{name(pair.b)}</b> ({pair.sim_b:.0%} of it matched)"
                f"<pre>{_code(pair.b.code, pair.slices_b)}</pre></div></div></section>")
    notes = "".join(f"<li>{html.escape(one_line(n, 500))}</li>" for n in result.notes)
    flagged = sum(p.score >= threshold for p in result.pairs)
    title = html.escape(one_line(assignment, 80))
    hidden = len(result.pairs) - TABLE_ROWS
    more = f"<p>and {hidden} more pairs: see similarity.csv</p>" if hidden > 0 else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Similarity: {title}</title>
<style>{STYLE}</style></head><body>
<h1>Similarity of the answers: {title}</h1>
<p>{result.compared} students compared ({result.screened} pairs screened);
{len(result.pairs)} pairs share at least {MIN_SCORE:.0%} of one side's code
(starter code and trivially short answers ignored); <b>{flagged}</b> at or above
{threshold:.0%}. Score: the larger share of one student's answer found in the other's
(copydetect: winnowed fingerprints of tokens, names normalised). Click a column to sort;
a rank links to the pair's code side by side, matching regions highlighted.</p>
<table><thead><tr><th>rank</th><th>student A</th><th>student B</th><th>score</th>
<th>share of A</th><th>share of B</th><th>tokens</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
{more}
{f'<h2>Not compared</h2><ul>{notes}</ul>' if notes else ''}
<h2>Pairs</h2>
{chr(10).join(details)}
<script>{SORT}</script>
</body></html>
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="assignment name, e.g. rnn")
    parser.add_argument("submissions", type=Path,
                        help="folder with one sub-folder per student, or a .zip of one")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--threshold", type=float, default=THRESHOLD,
                        help=f"flag pairs at or above this score (default {THRESHOLD})")
    parser.add_argument("--min-score", type=float, default=MIN_SCORE,
                        help=f"list pairs at or above this score (default {MIN_SCORE})")
    parser.add_argument("--top", type=int, default=TOP,
                        help=f"pairs shown with their code (default {TOP})")


def main(args: argparse.Namespace) -> int:

    if not args.submissions.exists():
        print(f"error: {visible(args.submissions)} does not exist", file=sys.stderr)
        return 2
    try:
        result = similarity(args.assignment, args.submissions, args.out,
                            threshold=args.threshold, min_score=args.min_score, top=args.top)
    except (ZipRefused, OSError) as err:
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 2
    for note in result.notes:
        print(f"note: {note}")
    flagged = sum(p.score >= args.threshold for p in result.pairs)
    print(f"{result.compared} students, {result.screened} pairs screened, "
          f"{len(result.pairs)} listed, {flagged} flagged (>= {args.threshold:.0%}) in "
          f"{sum(result.seconds.values()):.1f} s")
    print(f"wrote {visible(args.out / 'similarity.html')} and "
          f"{visible(args.out / 'similarity.csv')}")
    return 0
