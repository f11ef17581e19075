"""Find the submissions: one sub-folder per student, in a folder or a .zip of one.

Layouts: `<student>/<notebook>.ipynb` or nbgrader's `<student>/<assignment>/<notebook>.ipynb`.
Student ids may be anything a file system allows (unicode, spaces, `..` inside a name):
the original id is kept for the csv and a sanitized, collision-free `safe_id` names files.
Symbolic links are never followed: a link could point at the instructor's solution.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .zipsafe import Extraction, extract

SKIPPED_DIRS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__"}


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
        cleaned += "-" + hashlib.sha256(student_id.encode("utf-8", "surrogateescape")
                                        ).hexdigest()[:8]
    return cleaned


def _notebooks(folder: Path) -> tuple[list[Path], list[str]]:
    found, notes = [], []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for name in list(dirnames):
            if name in SKIPPED_DIRS or name.startswith(".") or (here / name).is_symlink():
                if (here / name).is_symlink():
                    notes.append(f"symlink {name} ignored")
                dirnames.remove(name)
        for name in filenames:
            path = here / name
            if not name.endswith(".ipynb") or name.startswith("."):
                continue
            if path.is_symlink() or not path.is_file():
                notes.append(f"symlink {name} ignored")
                continue
            found.append(path)
    return sorted(found), notes


def _choose(student: Path, assignment: str) -> tuple[Path | None, str | None, list[str]]:
    notebooks, notes = _notebooks(student)
    named = [p for p in notebooks if p.name == f"{assignment}.ipynb"
             and p.parent in (student, student / assignment)]
    rel = [str(p.relative_to(student)) for p in notebooks]
    if len(named) > 1:
        return None, "duplicate notebooks", notes + [f"several notebooks: {', '.join(rel)}"]
    if named:
        extra = [r for p, r in zip(notebooks, rel) if p != named[0]]
        if extra:
            notes.append(f"extra notebooks ignored: {', '.join(extra)}")
        return named[0], None, notes
    if len(notebooks) == 1:
        return notebooks[0], None, notes + [f"graded {rel[0]} (expected {assignment}.ipynb)"]
    if notebooks:
        return None, "duplicate notebooks", notes + [f"several notebooks: {', '.join(rel)}"]
    return None, "missing notebook", notes


def _student_root(root: Path, assignment: str) -> Path:
    """Look inside a single wrapping folder (`export/alice/...`), as LMS exports have."""
    entries = [p for p in root.iterdir() if p.name not in SKIPPED_DIRS
               and not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        inner = entries[0]
        if not any(inner.glob("*.ipynb")) and not (inner / assignment).is_dir() and all(
                p.is_dir() for p in inner.iterdir() if not p.name.startswith(".")):
            return inner
    return root


def collect(root: Path, assignment: str, refused: Extraction | None = None) -> list[Found]:
    """Every student found under `root`, sorted by id; refused zip members become problems."""
    top, root = root, _student_root(root, assignment)
    found: list[Found] = []
    prefix = root.relative_to(top).parts
    reasons = refused.reasons_by_folder(prefix) if refused else {}
    seen: set[str] = set()
    names = sorted(os.listdir(root))
    for name in names:
        path = root / name
        if name in SKIPPED_DIRS or name.startswith(".") or not path.is_dir() or path.is_symlink():
            continue
        notebook, problem, notes = _choose(path, assignment)
        if name in reasons:
            notes.insert(0, f"refused archive member: {reasons[name]}")
            if notebook is None:
                problem = f"refused: {reasons[name]}"
        found.append(Found(name, "", notebook, problem, notes))
    for name, reason in reasons.items():
        if name not in names:
            found.append(Found(name, "", None, f"refused: {reason}", [reason]))
    for item in sorted(found, key=lambda f: f.student_id):
        candidate = safe_id(item.student_id)
        while candidate in seen:
            candidate += "_"
        seen.add(candidate)
        item.safe_id = candidate
    return sorted(found, key=lambda f: f.student_id)


def open_submissions(path: Path, scratch: Path, assignment: str) -> tuple[list[Found], list[str]]:
    """Students under a folder or a .zip; also returns archive-level warnings."""
    warnings: list[str] = []
    if path.is_file():
        target = scratch / "unzipped"
        target.mkdir(parents=True, exist_ok=True)
        extraction = extract(path, target)
        for name, reason in extraction.refused:
            warnings.append(f"{reason}: {name!r}")
        return collect(target, assignment, extraction), warnings
    return collect(path, assignment), warnings
