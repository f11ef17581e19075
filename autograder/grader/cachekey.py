"""The key of a cached grade: it changes whenever a re-grade could give another result.

It covers, by module name (so it does not depend on where the repository is checked out),
exactly the code that can change a grade, the source notebooks the grade is computed
from, the files a student's code may import, and the limits. `tests/test_architecture.py`
checks that every module of the package is either listed here or in `NOT_GRADING`.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from ..layout import REPO_ROOT, SHIPPED_LAYERS, SUPPORT_PACKAGES, source_notebook
from .zygote import Limits

VERSION = "2"  # bump to invalidate every cached grade by hand

# Modules whose code decides a score, a status or a message (for assignment `a`, also
# `autograder.cases.a` and `autograder.mutants.a`).
GRADING = (
    "autograder.layout", "autograder.notebooks", "autograder.solutions", "autograder.export",
    "autograder.namespaces", "autograder.reference", "autograder.spec", "autograder.execute",
    "autograder.wire", "autograder.compare", "autograder.verdict", "autograder.suite",
    "autograder.fingerprints", "autograder.mutants", "autograder.cases", "autograder.tolerance",
    "autograder.cases.common", "autograder.grader.job", "autograder.grader.runner",
    "autograder.grader.sandbox", "autograder.grader.zygote", "autograder.grader.worker",
    "autograder.grader.serve", "autograder.grader.confine", "autograder.grader.protocol",
    "autograder.grader.tamper", "autograder.grader.status", "autograder.precomputed",
    "autograder.grader.oracle", "autograder.grader.scale",
)
# Modules that only move or show what the grading modules decided.
NOT_GRADING = (
    "autograder", "autograder.__main__", "autograder.authoring", "autograder.course",
    "autograder.demo", "autograder.grading", "autograder.hidden", "autograder.release",
    "autograder.verify",  # (and its modules: it checks the tests, it grades nobody)
    "autograder.grader", "autograder.grader.batch", "autograder.grader.cachekey",
    "autograder.grader.cli", "autograder.grader.collect", "autograder.grader.executors",
    "autograder.grader.gradebook", "autograder.grader.neutral", "autograder.grader.report",
    "autograder.grader.zipsafe",
    "autograder.similarity",   # (reads answers to compare students; grades nobody)
    "autograder.grader.late",  # (a late penalty is applied to the cached grade each run)
    "autograder.visibility", "autograder.gradescope",
    "autograder.grader.gradescope_run", "autograder.files",
)


def module_source(name: str) -> bytes:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(name)
    return Path(spec.origin).read_bytes()


def _tree(folder: Path) -> list[tuple[str, bytes]]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in files]


def grading_key(assignment: str, limits: Limits) -> str:
    """Hex digest of everything a grade of `assignment` under `limits` depends on."""
    digest = hashlib.sha256(VERSION.encode())

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    # (an assignment's cases may keep their data in modules of their own: cases/<a>_*.py)
    helpers = sorted(f"autograder.cases.{path.stem}"
                     for path in (REPO_ROOT / "autograder" / "cases").glob(f"{assignment}_*.py"))
    for name in (*GRADING, f"autograder.cases.{assignment}", *helpers,
                 f"autograder.mutants.{assignment}"):
        add(name, module_source(name))
    for earlier in (assignment, *SHIPPED_LAYERS.get(assignment, ())):
        add(f"notebook {earlier}", source_notebook(earlier).read_bytes())
    for package in SUPPORT_PACKAGES:
        for relative, data in _tree(REPO_ROOT / package):
            add(f"{package}/{relative}", data)
    add("limits", repr(limits).encode())
    return digest.hexdigest()
