"""Repository hygiene: source notebooks, dependency lists, test-cell sync, no leaks."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.layout import REPO_ROOT, available_assignments
from autograder.notebooks import (
    answer_cells,
    cell_source,
    cells_by_grade_id,
    grade_meta,
    read_notebook,
)
from autograder.notebooks import (
    test_cells as graded_test_cells,
)
from autograder.suite import tests_for as hidden_tests_of

ASSIGNMENTS = available_assignments()
SOURCE_NOTEBOOKS = sorted((REPO_ROOT / "assignments").rglob("*.ipynb"))


def test_every_assignment_folder_has_its_source_notebook():
    assert ASSIGNMENTS, "no source notebooks found"
    for path in SOURCE_NOTEBOOKS:
        assert path.name == f"{path.parent.name}.ipynb", f"unexpected notebook {path}"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_source_notebook_has_no_outputs_or_execution_counts(path: Path):
    for index, cell in enumerate(read_notebook(path)["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {index} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {index} was run"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.parent.name)
def test_nbgrader_cells_use_schema_3_and_unique_ids(path: Path):
    notebook = read_notebook(path)
    ids = [grade_meta(c).get("grade_id") for c in notebook["cells"] if grade_meta(c)]
    assert len(ids) == len(set(ids)), f"duplicated grade ids in {path.name}"
    for cell in notebook["cells"]:
        if grade_meta(cell):
            assert grade_meta(cell)["schema_version"] == 3, grade_meta(cell)["grade_id"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_answer_cell_defines_the_function_it_is_named_after(assignment: str):
    notebook = read_notebook(REPO_ROOT / "assignments" / assignment / f"{assignment}.ipynb")
    answers = answer_cells(notebook)
    assert answers, "no autograded answer cells"
    for grade_id, cell in answers.items():
        tree = ast.parse(re.sub(r"^\s*%.*$", "", cell_source(cell), flags=re.M))
        defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert grade_id in defined, f"answer cell {grade_id} defines {defined}"
        assert "### BEGIN SOLUTION" in cell_source(cell), f"{grade_id} has no solution region"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_test_cells_are_locked_named_and_in_sync_with_the_cases(assignment: str):
    notebook = read_notebook(REPO_ROOT / "assignments" / assignment / f"{assignment}.ipynb")
    cells = graded_test_cells(notebook)
    expected = {t.name: t for t in hidden_tests_of(assignment)}
    assert set(cells) == set(expected), (
        f"run `python -m autograder sync-tests {assignment}`: notebook and "
        f"autograder/cases/{assignment}.py disagree on "
        f"{sorted(set(cells) ^ set(expected))}")
    functions = set(answer_cells(notebook))
    for name, cell in cells.items():
        meta = grade_meta(cell)
        assert meta["locked"] is True, name
        assert meta["points"] == expected[name].points, f"{name}: points differ from the cases"
        assert expected[name].function in functions, f"{name} tests an unknown function"
        assert f"run_test({assignment!r}, {name!r}, globals())" in cell_source(cell), name


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_visible_test_cells_are_locked(assignment: str):
    notebook = read_notebook(REPO_ROOT / "assignments" / assignment / f"{assignment}.ipynb")
    for grade_id, cell in cells_by_grade_id(notebook).items():
        if grade_id.startswith("test_") or grade_id.startswith("setup"):
            assert grade_meta(cell)["locked"] is True, grade_id


def _requirements(lines: list[str]) -> dict[str, str]:
    parsed = {}
    for line in lines:
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", line.strip())
        parsed[match.group(1).lower()] = match.group(3).replace(" ", "")
    return parsed


def _pyproject_list(key: str) -> list[str]:
    """The requirement strings of `key = [...]` in pyproject.toml (dependencies, an extra)."""
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    listed = re.search(rf"^{key}\s*=\s*\[(.*?)\]", pyproject, re.M | re.S).group(1)
    return re.findall(r'"([^"]+)"', listed)


def _conda_list(name: str) -> tuple[dict[str, str], str]:
    """(packages without python and pip, python's version spec) of a conda environment file."""
    environment = (REPO_ROOT / name).read_text()
    listed = re.findall(r"^\s*-\s+(\S.*)$", environment.split("dependencies:")[1], re.M)
    python = [e for e in listed if re.match(r"python\b", e)]
    assert len(python) == 1, f"{name} must pin python once"
    conda = _requirements([e for e in listed if not e.startswith(("python", "pip"))])
    return conda, python[0].removeprefix("python").replace(" ", "")


def _requires_python() -> str:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    return re.search(r'^requires-python\s*=\s*"([^"]+)"', pyproject, re.M).group(1)


def test_pyproject_and_environment_yml_list_the_same_dependencies():
    declared = _requirements(_pyproject_list("dependencies") + _pyproject_list("dev"))
    conda, python = _conda_list("environment.yml")
    assert conda == declared
    assert python == _requires_python()


def test_the_student_environment_file_lists_exactly_the_student_dependencies():
    conda, python = _conda_list("environment-student.yml")
    assert conda == _requirements(_pyproject_list("student"))
    assert python == _requires_python()
    for tool in ("nbgrader", "pytest", "ruff", "mypy", "hypothesis", "selenium", "pyseccomp"):
        assert tool not in conda


def test_the_student_venv_installs_exactly_the_student_dependencies():
    """The Makefile builds .venv-student from tools/student_requirements.py's output."""
    printed = subprocess.run([sys.executable, str(REPO_ROOT / "tools/student_requirements.py")],
                             capture_output=True, text=True, check=True).stdout.split()
    assert printed == _pyproject_list("student")
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "pip install -q $$($(BIN)/python tools/student_requirements.py)" in makefile


def test_the_readme_names_the_python_versions_check_python_accepts():
    readme = (REPO_ROOT / "README.md").read_text()
    minimum = _requires_python().removeprefix(">=")
    check = (REPO_ROOT / "tools/check_python.py").read_text()
    assert f"sys.version_info < ({minimum.replace('.', ', ')})" in check
    assert f"Python {minimum}" in readme


def test_student_dependencies_are_a_subset_of_the_core_ones():
    core_reqs = _requirements(_pyproject_list("dependencies"))
    for name, spec in _requirements(_pyproject_list("student")).items():
        assert core_reqs.get(name) == spec, name


def _graded_function_names() -> set[str]:
    names = set()
    for assignment in ASSIGNMENTS:
        path = REPO_ROOT / "assignments" / assignment / f"{assignment}.ipynb"
        names |= set(answer_cells(read_notebook(path)))
    return names


@pytest.mark.parametrize("package", ["course_utils", "datasets"])
def test_student_packages_define_no_graded_function(package: str):
    graded = _graded_function_names()
    for path in (REPO_ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert not defined & graded, f"{path} defines graded functions {defined & graded}"


@pytest.mark.parametrize("package", ["course_utils", "datasets"])
def test_student_packages_do_not_import_the_autograder(package: str):
    for path in (REPO_ROOT / package).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+autograder", text, re.M), path


def test_gitignore_covers_nbgrader_outputs():
    ignored = (REPO_ROOT / ".gitignore").read_text().split()
    for entry in ("gradebook.db", "release/", "submitted/", "autograded/", "feedback/"):
        assert entry in ignored
