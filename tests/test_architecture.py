"""The shape of the code: no import circles, no hidden ones, short modules, a cache key
that covers the grading code wherever the repository lives."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grader.cachekey import GRADING, NOT_GRADING
from autograder.grader.job import retry_groups
from autograder.layout import ASSIGNMENTS, REPO_ROOT
from autograder.suite import tests_for as hidden_tests

PACKAGES = ("autograder", "course_utils", "datasets")
# Function-level imports of the project's own modules are allowed only where a process
# boundary needs them: the worker imports inside the sandbox what it pre-imported, and the
# grader package stays cheap to import for the worker; the oracle process gets the
# reference as text and imports only what runs it.
LAZY_OK = {"autograder.grader.worker", "autograder.grader.oracle",  # (and nothing else)
           "autograder.grader"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """(imported project module, at function level) for every import in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    functions = [f for f in ast.walk(tree)
                 if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
    nested = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.append((target, id(node) in nested))
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _parents(name: str) -> list[str]:
    """Importing `a.b.c` runs `a` and `a.b` first: a package depends on nothing it holds."""
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]


def test_no_import_circles_direct_or_indirect():
    edges = {name: {t for t, _ in deps} for name, deps in GRAPH.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if target in _parents(node) or node in _parents(target):
                continue  # a package and its own modules (`__init__` re-exports nothing here)
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack + [target])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert not cycles, cycles


def test_no_function_level_import_of_the_project_outside_a_process_boundary():
    lazy = sorted(f"{name} -> {target}" for name, deps in GRAPH.items() for target, inner in deps
                  if inner and name not in LAZY_OK)
    assert not lazy, lazy


def test_no_module_over_400_lines():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long


def test_every_module_is_classed_for_the_regrade_cache_key():
    ours = {name for name in MODULES if name.split(".")[0] == "autograder"
            and not name.startswith(("autograder.cases.", "autograder.mutants.",
                                     "autograder.verify."))}
    ours |= {"autograder.cases", "autograder.cases.common", "autograder.mutants"}
    assert ours == set(GRADING) | set(NOT_GRADING)
    assert not set(GRADING) & set(NOT_GRADING)


KEY = ("import sys; sys.path.insert(0, sys.argv[1]); from autograder.grader.cachekey import "
       "grading_key; from autograder.grader.zygote import Limits; "
       "import autograder; assert autograder.__file__.startswith(sys.argv[1]), autograder.__file__;"
       "print(grading_key(sys.argv[2], Limits()))")


def _key(root: Path, assignment: str = "rnn") -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", KEY, str(root), assignment], capture_output=True,
                          text=True, env=env, cwd=root)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


@pytest.mark.skipif(not (REPO_ROOT / "assignments" / "rnn" / "rnn.ipynb").exists(),
                    reason="needs the rnn source notebook")
def test_cache_key_does_not_depend_on_the_checkout_path_and_sees_every_grading_module(tmp_path):
    copy = tmp_path / "grader" / "kit"
    for part in ("autograder", "course_utils", "datasets", "assignments"):
        shutil.copytree(REPO_ROOT / part, copy / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    before = _key(copy)
    assert before == _key(REPO_ROOT)
    for relative in ("autograder/cases/rnn.py", "autograder/mutants/rnn.py",
                     "autograder/cases/common.py", "autograder/verdict.py",
                     "course_utils/gradcheck.py"):
        path = copy / relative
        original = path.read_bytes()
        path.write_bytes(original + b"\n# changed\n")
        assert _key(copy) != before, relative
        path.write_bytes(original)
    before = _key(copy, "seq2seq")
    path = copy / "autograder/cases/seq2seq_data.py"  # a case-data module of its own
    path.write_bytes(path.read_bytes() + b"\n# changed\n")
    assert _key(copy, "seq2seq") != before


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_retry_sandbox_never_tests_what_it_served_before(assignment):
    tests = hidden_tests(assignment)
    groups = retry_groups(tests)
    assert sorted(h for g in groups for h in g) == sorted({t.fallback for t in tests
                                                           if t.fallback})
    for group in groups:
        served: set[str] = set()
        for helpers in group:
            assert not {t.function for t in tests if t.fallback == helpers} & served
            served |= set(helpers)
