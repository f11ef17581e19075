"""Read a submitted notebook defensively and compare its structure with the release.

Nothing here executes student code. A notebook that cannot be read at all is `invalid`;
anything else that differs from the release in a way the student should not have changed
is a finding ("edited locked cell setup"), reported per student and never fatal. The code
that the grader runs comes from the release (setup cells) and from the student's answer
cells only, so tampering elsewhere cannot change what is executed or how it is checked.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from ..layout import MAX_NOTEBOOK_BYTES
from ..notebooks import (
    answer_cells,
    cell_source,
    escape_lines,
    grade_meta,
    python_source,
    setup_cells,
)

MAX_CELLS = 2000              # honest notebooks have about 100; comparing is quadratic
MAX_CODE_CELL = 64 << 10      # bytes of one answer cell as sent to the sandbox (JSON text);
                              # a larger one is not run (its functions score 0)
MAX_ESCAPE_LINES = 20         # IPython re-reads a cell per escape line: bound its work
FLAGS = ("solution", "grade", "locked")


@dataclass
class Inspection:
    invalid: str | None = None                      # why the notebook cannot be graded at all
    findings: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)   # grade_id -> student source
    notes: list[str] = field(default_factory=list)          # answer cells not run, and why


def _malformed_nbgrader(cell: dict[str, Any]) -> bool:
    """Values `compare` could not even compare: unhashable versions, points past float."""
    meta = grade_meta(cell)
    version, points = meta.get("schema_version"), meta.get("points")
    return not isinstance(version, (str, int, float, type(None))) or (
        isinstance(points, int) and points.bit_length() > 1000)


def _check_cells(cells: list) -> str | None:
    if len(cells) > MAX_CELLS:
        return f"more than {MAX_CELLS} cells"
    for cell in cells:
        source = cell.get("source") if isinstance(cell, dict) else None
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str) or not (
                isinstance(source, str)
                or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            return "malformed cell"
        if not isinstance(cell.get("metadata", {}), dict) or _malformed_nbgrader(cell):
            return "malformed cell metadata"
    return None


def parse(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The notebook as a dict, or None and a one-line reason; never raises."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"larger than {MAX_NOTEBOOK_BYTES >> 20} MB"
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except (ValueError, RecursionError):  # also integers too long to convert
        return None, "not valid JSON"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None, "not a notebook (no list of cells)"
    version = notebook.get("nbformat")
    if version != 4:
        shown = str(version)[:20] if isinstance(version, (int, float, str)) else type(
            version).__name__
        return None, f"nbformat {shown!r}, expected 4"
    problem = _check_cells(notebook["cells"])
    return (None, problem) if problem else (notebook, None)


def _graded_cells(notebook: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    cells = []
    for cell in notebook["cells"]:
        grade_id = grade_meta(cell).get("grade_id")
        if isinstance(grade_id, str):
            cells.append((grade_id, cell))
    return cells


def _points(cell: dict[str, Any]) -> float | None:
    try:
        return float(grade_meta(cell)["points"])
    except (KeyError, TypeError, ValueError):
        return None


def _text(cell: dict[str, Any]) -> str:
    return cell_source(cell).rstrip()


@dataclass(frozen=True)
class _Wanted:
    """What `compare` and `inspect` need of a release, read once per release."""

    cells: list[tuple[str, dict[str, Any]]]   # graded cells, in order
    ids: list[str]
    schema: set[Any]
    answer_ids: list[str]


_RELEASES: dict[int, tuple[dict[str, Any], _Wanted]] = {}  # id -> (release, what it wants)


def _wanted(release: dict[str, Any]) -> _Wanted:
    """The release's graded cells and answer ids, computed once for a whole batch (every
    student is compared with the same release object; the entry holds it, so its id is
    not reused)."""
    known = _RELEASES.get(id(release))
    if known is None or known[0] is not release:
        cells = _graded_cells(release)
        if len(_RELEASES) > 16:
            _RELEASES.clear()
        known = _RELEASES[id(release)] = (release, _Wanted(
            cells, [gid for gid, _ in cells],
            {grade_meta(c).get("schema_version") for _, c in cells}, list(answer_cells(release))))
    return known[1]


def compare(notebook: dict[str, Any], release: dict[str, Any]) -> list[str]:
    """What the student changed that only the instructor may change."""
    findings: list[str] = []
    release_wants = _wanted(release)
    wanted, wanted_ids, schema = release_wants.cells, release_wants.ids, release_wants.schema
    got = _graded_cells(notebook)
    got_ids = [gid for gid, _ in got]
    for gid, cell in got:
        version = grade_meta(cell).get("schema_version")
        if version not in schema:
            findings.append(f"unknown nbgrader schema_version {str(version)[:10]} in cell {gid}")
            break
    first: dict[str, dict[str, Any]] = {}
    for gid, cell in got:
        first.setdefault(gid, cell)
    for gid in dict.fromkeys(got_ids):
        if gid not in wanted_ids:
            findings.append(f"unknown graded cell {gid}")
        elif got_ids.count(gid) > 1:
            findings.append(f"duplicated cell {gid}")
    for gid, cell in wanted:
        mine = first.get(gid)
        if mine is None:
            findings.append(f"deleted cell {gid}")
        elif mine.get("cell_type") != cell.get("cell_type"):
            findings.append(f"retyped cell {gid}")
        elif any(bool(grade_meta(mine).get(f)) != bool(grade_meta(cell).get(f)) for f in FLAGS):
            findings.append(f"changed nbgrader metadata of cell {gid}")
        elif grade_meta(cell).get("grade") and _points(mine) != _points(cell):
            findings.append(f"changed points of cell {gid}")
        elif grade_meta(cell).get("locked") and _text(mine) != _text(cell):
            findings.append(f"edited locked cell {gid}")
    order = [gid for gid in dict.fromkeys(got_ids) if gid in wanted_ids]
    if order != [gid for gid in wanted_ids if gid in order]:
        findings.append("reordered cells")
    return findings


def inspect(data: bytes, release: dict[str, Any]) -> Inspection:
    notebook, problem = parse(data)
    if notebook is None:
        return Inspection(invalid=problem)
    answers: dict[str, str] = {}
    notes: list[str] = []
    student: dict[str, dict[str, Any]] = {}
    for gid, graded in _graded_cells(notebook):
        student.setdefault(gid, graded)  # a duplicated cell: the first copy is graded
    for gid in _wanted(release).answer_ids:
        cell = student.get(gid)
        if cell is None or cell.get("cell_type") != "code":
            continue
        if len(json.dumps(cell_source(cell))) > MAX_CODE_CELL:
            notes.append(f"answer cell {gid} is larger than {MAX_CODE_CELL >> 10} KB: not run")
            continue
        if escape_lines(cell_source(cell)) > MAX_ESCAPE_LINES:
            notes.append(f"answer cell {gid} has more than {MAX_ESCAPE_LINES} lines of IPython "
                         "syntax (magics, shell, help): not run")
            continue
        answers[gid] = _answer_python(cell_source(cell))
    return Inspection(findings=compare(notebook, release), answers=answers, notes=notes)


# Reading a cell as IPython would compiles it: a batch reads the same cell again and again
# (answers left as released, shared starter code), at most 256 x 64 KB held.
_answer_python = functools.lru_cache(maxsize=256)(python_source)


def setup_source(release: dict[str, Any]) -> str:
    """The setup cells of the release: run before the answers, never taken from a student."""
    return _setup_python(tuple(cell_source(c) for c in setup_cells(release)))


@functools.lru_cache(maxsize=16)  # the same for every student of a batch
def _setup_python(sources: tuple[str, ...]) -> str:
    return "\n\n".join(python_source(source) for source in sources)
