"""Repository hygiene: source notebooks, dependency lists, test-cell sync, no leaks."""

from __future__ import annotations

import ast
import re
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


def test_pyproject_and_environment_yml_list_the_same_dependencies():
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    core = re.search(r"^dependencies\s*=\s*\[(.*?)\]", pyproject, re.M | re.S).group(1)
    dev = re.search(r"^dev\s*=\s*\[(.*?)\]", pyproject, re.M | re.S).group(1)
    declared = _requirements(re.findall(r'"([^"]+)"', core) + re.findall(r'"([^"]+)"', dev))
    environment = (REPO_ROOT / "environment.yml").read_text()
    listed = re.findall(r"^\s*-\s+(\S.*)$", environment.split("dependencies:")[1], re.M)
    conda = _requirements([e for e in listed if not e.startswith(("python", "pip"))])
    assert conda == declared


def test_student_dependencies_are_a_subset_of_the_core_ones():
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    core = re.search(r"^dependencies\s*=\s*\[(.*?)\]", pyproject, re.M | re.S).group(1)
    student = re.search(r"^student\s*=\s*\[(.*?)\]", pyproject, re.M | re.S).group(1)
    core_reqs = _requirements(re.findall(r'"([^"]+)"', core))
    for name, spec in _requirements(re.findall(r'"([^"]+)"', student)).items():
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
