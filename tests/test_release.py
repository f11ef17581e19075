"""A student release works on its own, in an environment with only the student deps."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.course import Course, release_files, solution_submission
from autograder.layout import REPO_ROOT, available_assignments, source_notebook
from autograder.notebooks import HIDDEN_BEGIN, read_notebook
from autograder.verify.leaks import release_leaks

STUDENT_PYTHON = REPO_ROOT / ".venv-student" / "bin" / "python"


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> dict[str, Path]:
    course = Course(tmp_path_factory.mktemp("course"))
    folders = {}
    for assignment in available_assignments():
        notebook = course.generate(assignment)
        release_files(assignment, notebook.parent)
        folders[assignment] = notebook.parent
    return folders


def _student_kernel(tmp_path: Path) -> dict[str, str]:
    """A kernelspec running the student venv's Python; returns the env to find it."""
    if not STUDENT_PYTHON.exists():
        pytest.fail("the student environment is missing: run `make test` (it builds .venv-student)")
    spec = tmp_path / "jupyter" / "kernels" / "student"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(STUDENT_PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student", "language": "python"}))
    return {"JUPYTER_PATH": str(tmp_path / "jupyter")}


@pytest.mark.parametrize("assignment", available_assignments())
def test_release_has_no_solution_no_hidden_tests_no_autograder(released, assignment):
    folder = released[assignment]
    assert not (folder / "autograder").exists()
    text = (folder / f"{assignment}.ipynb").read_text(encoding="utf-8")
    assert HIDDEN_BEGIN not in text
    assert "from autograder" not in text and "import autograder" not in text
    checked, leaked = release_leaks(read_notebook(source_notebook(assignment)), json.loads(text))
    assert checked > 20 and not leaked, f"solution or hidden-test lines released: {leaked[:3]}"


@pytest.mark.parametrize("assignment", available_assignments())
def test_release_runs_alone_in_a_student_environment(released, assignment, tmp_path,
                                                     monkeypatch):
    folder = released[assignment]
    path = folder / f"{assignment}.ipynb"
    notebook = solution_submission(json.loads(path.read_text(encoding="utf-8")), assignment)
    probe = ("import importlib.util\n"
             "print('autograder importable:', importlib.util.find_spec('autograder') is not None)")
    notebook["cells"].append({"cell_type": "code", "id": "probe", "metadata": {}, "outputs": [],
                              "execution_count": None, "source": probe})
    for name, value in _student_kernel(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("KIT_GRADING", "1")  # the labs at token size: this checks imports
    monkeypatch.setenv("MPLBACKEND", "Agg")
    node = nbformat.reads(json.dumps(notebook), as_version=4)
    client = NotebookClient(node, kernel_name="student", timeout=600, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    errors = [(i, o.get("ename"), o.get("evalue", "")[:200])
              for i, cell in enumerate(node.cells) if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    last = "".join(o.get("text", "") for o in node.cells[-1].outputs)
    assert "autograder importable: False" in last
    assert sys.executable != str(STUDENT_PYTHON)
    assert os.environ.get("PYTHONPATH") is None
