"""Find the submissions: one sub-folder per student, in a folder or a .zip of one.

Layouts: `<student>/<notebook>.ipynb` or nbgrader's `<student>/<assignment>/<notebook>.ipynb`.
Student ids may be anything a file system allows (unicode, spaces, `..` inside a name,
bytes that are not UTF-8 (surrogate-escaped, as `os.listdir` returns them), control
characters): the id is kept as it is, shown through `neutral.visible` wherever it is
written, and a sanitized, collision-free `safe_id` names files.

Every student folder gets exactly one `Found`, whatever is inside it: a problem is that
student's `problem` (their status), never an exception. Symbolic links are never followed
(a link could point at the instructor's solution); a student folder holding more than
`MAX_FILES` entries is refused, folders deeper than `MAX_DEPTH` are not searched.

The only folder at the top is looked through as an LMS export's wrapper (`export/alice/`)
only when it cannot be a student's: it holds no notebook of its own and, on disk, no file
at all (`zipsafe.is_wrapper`); `open_submissions` warns, naming it, every time.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .neutral import one_line, visible
from .status import Status
from .zipsafe import Extraction, ZipLimits, extract, hidden, is_wrapper, wrapper_warning

MAX_FILES = ZipLimits.max_files     # entries per student folder, as for an archive
MAX_DEPTH = ZipLimits.max_depth


@dataclass
class Found:
    student_id: str
    safe_id: str
    notebook: Path | None = None
    problem: str | None = None            # status when no notebook can be graded
    notes: list[str] = field(default_factory=list)


def safe_id(student_id: str) -> str:
    """A file-name-safe id: ASCII letters, digits, `-`, `_`, `.`; a hash when changed."""
    ascii_id = unicodedata.normalize("NFKD", student_id).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", ascii_id).strip("._-")[:60] or "student"
    if cleaned != student_id:
        cleaned += "-" + hashlib.sha256(student_id.encode("utf-8", "surrogatepass")
                                        ).hexdigest()[:8]
    return cleaned


class _TooMany(Exception):
    pass


def _notebooks(folder: Path) -> tuple[list[Path], list[str]]:
    """Notebooks under `folder`, never through a symlink; raises _TooMany past MAX_FILES."""
    found, notes, seen = [], [], 0
    pending = [(folder, 0)]
    while pending:  # iterative: a deep tree must not exhaust the recursion limit
        here, depth = pending.pop()
        try:
            with os.scandir(here) as entries:
                for entry in entries:
                    seen += 1
                    if seen > MAX_FILES:
                        raise _TooMany()
                    path = Path(entry.path)
                    if entry.is_symlink():
                        notes.append(f"symlink {visible(path.relative_to(folder))} ignored")
                    elif entry.is_dir(follow_symlinks=False):
                        if hidden(entry.name):
                            continue
                        if depth + 1 > MAX_DEPTH:
                            notes.append(f"folders deeper than {MAX_DEPTH} levels not searched")
                        else:
                            pending.append((path, depth + 1))
                    elif entry.name.endswith(".ipynb") and not entry.name.startswith("."):
                        if entry.is_file(follow_symlinks=False):
                            found.append(path)
        except OSError as err:
            notes.append(f"folder {visible(here.relative_to(folder))} could not be read "
                         f"({err.strerror or type(err).__name__})")
    return sorted(found), list(dict.fromkeys(notes))


def _choose(student: Path, assignment: str) -> tuple[Path | None, str | None, list[str]]:
    try:
        notebooks, notes = _notebooks(student)
    except _TooMany:
        return None, Status.REFUSED.because(f"more than {MAX_FILES} files"), []
    named = [p for p in notebooks if p.name == f"{assignment}.ipynb"
             and p.parent in (student, student / assignment)]
    rel = [visible(p.relative_to(student)) for p in notebooks]
    if len(named) > 1:
        return None, Status.DUPLICATE.value, notes + [f"several notebooks: {', '.join(rel)}"]
    if named:
        extra = [r for p, r in zip(notebooks, rel) if p != named[0]]
        if extra:
            notes.append(f"extra notebooks ignored: {', '.join(extra)}")
        return named[0], None, notes
    if len(notebooks) == 1:
        return notebooks[0], None, notes + [f"graded {rel[0]} (expected {assignment}.ipynb)"]
    if notebooks:
        return None, Status.DUPLICATE.value, notes + [f"several notebooks: {', '.join(rel)}"]
    return None, Status.MISSING.value, notes


def _student_root(root: Path, assignment: str) -> Path:
    """Look inside a single wrapping folder (`export/alice/...`), as LMS exports have: only
    one holding folders and no file (`zipsafe.is_wrapper`); `open_submissions` says so."""
    entries = [p for p in root.iterdir() if not hidden(p.name)]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        try:
            children = {p.name: p.is_dir() and not p.is_symlink()
                        for p in entries[0].iterdir() if not hidden(p.name)}
        except OSError:
            return root
        if is_wrapper(children, assignment, archive=False):
            return entries[0]
    return root


def _student(base: Path, name: str, assignment: str, extraction: Extraction | None) -> Found:
    path = base / name
    try:
        if path.is_symlink():
            return Found(name, "", None, Status.REFUSED.because("symlink, not followed"))
        notebook, problem, notes = (_choose(path, assignment) if path.is_dir()
                                    else (None, Status.MISSING.value, []))
    except Exception as err:  # noqa: BLE001 - one row per student, whatever the folder holds
        problem = Status.REFUSED.because("unreadable folder")
        notebook, notes = None, [one_line(err)]
    refused = extraction.folders.get(name, []) if extraction else []
    if extraction and refused:
        more = extraction.counts[name] - len(refused)
        notes[:0] = [f"refused archive member {visible(member)}: {reason}"
                     for member, reason in refused]
        notes[len(refused):len(refused)] = [f"and {more} more refused members"] if more else []
        reason = extraction.blocked.get(name)
        if reason is None and problem == Status.MISSING.value:
            reason = refused[0][1]
        if reason is not None:
            notebook, problem = None, Status.REFUSED.because(reason)
    return Found(name, "", notebook, problem, notes)


def collect(root: Path, assignment: str, extraction: Extraction | None = None) -> list[Found]:
    """Every student found under `root`, sorted by id; one `Found` per student folder."""
    base = root.joinpath(*extraction.prefix) if extraction else _student_root(root, assignment)
    listed = os.listdir(base) if base.is_dir() or not extraction else []
    names = {name for name in listed if not hidden(name)
             and ((base / name).is_symlink() or (base / name).is_dir())}
    names |= set(extraction.folders) if extraction else set()
    return _with_safe_ids([_student(base, name, assignment, extraction) for name in names])


def _with_safe_ids(found: list[Found]) -> list[Found]:
    """Distinct file names, also on a case-insensitive file system."""
    seen: set[str] = set()
    found.sort(key=lambda f: f.student_id)
    for item in found:
        candidate = safe_id(item.student_id)
        while candidate.casefold() in seen:
            candidate += "_"
        seen.add(candidate.casefold())
        item.safe_id = candidate
    return found


def _skipped(base: Path) -> list[str]:
    """Hidden and system folders beside the students (`.git`, `__MACOSX`): said, not graded."""
    try:
        names = sorted(n for n in os.listdir(base) if hidden(n) and (base / n).is_dir())
    except OSError:
        return []
    return [f"folder {visible(name)} skipped: hidden or system folder, not a student"
            for name in names]


def open_submissions(path: Path, scratch: Path, assignment: str) -> tuple[list[Found], list[str]]:
    """Students under a folder or a .zip; also returns archive-level warnings.

    Raises ZipRefused (archive) or OSError (folder) only when nothing can be read at all.
    """
    if not path.is_file():
        base = _student_root(path, assignment)
        found = collect(path, assignment)
        looked = [wrapper_warning(base.name, archive=False)] if base != path else []
        return found, looked + _skipped(base)
    target = scratch / "unzipped"
    target.mkdir(parents=True, exist_ok=True)
    extraction = extract(path, target, assignment=assignment)
    found = collect(target, assignment, extraction)
    owned = {member for refused in extraction.folders.values() for member, _ in refused}
    warnings = [f"{reason}: {visible(name)}" for name, reason in extraction.refused
                if name not in owned]
    if extraction.counts[None] > len(warnings):
        warnings.append(f"and {extraction.counts[None] - len(warnings)} more refused members")
    looked = [wrapper_warning(extraction.prefix[0], archive=True)] if extraction.prefix else []
    return found, looked + warnings + [
        f"{visible(item.student_id)}: {item.problem}" for item in found
        if (item.problem or "").startswith(Status.REFUSED.value)]
