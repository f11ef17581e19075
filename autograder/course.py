"""Run stock nbgrader on a throwaway course folder, and synthesize submissions.

Used by the tests, `demo` and `verify`: the source notebook is copied into a scratch
course root, so nothing touches the instructor's real gradebook or release folder.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .export import copy_support_files
from .layout import REPO_ROOT, SOURCE_DIR, Notebook
from .notebooks import grade_meta
from .solutions import solution_sources


class NbgraderError(Exception):
    """An nbgrader command failed; the message is its last error line."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@dataclass
class Course:
    """A scratch nbgrader course root holding copies of the source assignments."""

    root: Path

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def nbgrader(self, *args: str, check: bool = True) -> str:
        command = [sys.executable, "-m", "nbgrader", *args,
                   f"--CourseDirectory.root={self.root}",
                   f"--CourseDirectory.db_url={self.db_url}"]
        done = subprocess.run(command, cwd=REPO_ROOT, env=_env(), capture_output=True,
                              text=True)
        log = done.stdout + done.stderr
        errors = [line for line in log.splitlines() if "| ERROR]" in line]
        if check and (done.returncode != 0 or errors):
            last = errors[-1] if errors else log.strip().splitlines()[-1:]
            raise NbgraderError(f"nbgrader {args[0]} failed: {last}")
        return log

    def add_source(self, assignment: str) -> None:
        target = self.root / "source" / assignment
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(SOURCE_DIR / assignment, target,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))

    def generate(self, assignment: str) -> Path:
        """Release `assignment` with stock nbgrader; returns the released notebook's path."""
        self.add_source(assignment)
        self.nbgrader("generate_assignment", assignment, "--force",
                      "--CourseDirectory.source_directory=source")
        return self.root / "release" / assignment / f"{assignment}.ipynb"

    def submit(self, assignment: str, student: str, notebook: Notebook | str) -> Path:
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{assignment}.ipynb"
        text = notebook if isinstance(notebook, str) else json.dumps(notebook, indent=1)
        path.write_text(text, encoding="utf-8")
        return path

    def autograde(self, assignment: str) -> dict[str, dict[str, float]]:
        """Autograde every submission; returns {student: {grade_id: auto score}}.

        Stock nbgrader skips a submission it cannot process (it logs an error and the
        student gets no row); such students are simply absent from the result.
        """
        self.nbgrader("autograde", assignment, "--force",
                      "--CourseDirectory.source_directory=source", check=False)
        return self.scores(assignment)

    def scores(self, assignment: str) -> dict[str, dict[str, float]]:
        from nbgrader.api import Gradebook

        result: dict[str, dict[str, float]] = {}
        with Gradebook(self.db_url) as gradebook:
            for submission in gradebook.assignment_submissions(assignment):
                grades = {}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.auto_score is not None:
                            grades[grade.name] = float(grade.auto_score)
                result[submission.student.id] = grades
        return result


def solution_submission(release: Notebook, assignment: str) -> Notebook:
    """The release with every answer cell filled in from the source notebook's solution."""
    return with_answers(release, solution_sources(assignment))


def with_answers(notebook: Notebook, answers: dict[str, str]) -> Notebook:
    """A copy of `notebook` whose answer cells named in `answers` get new source code."""
    changed = copy.deepcopy(notebook)
    for cell in changed["cells"]:
        grade_id = grade_meta(cell).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return changed


def release_files(assignment: str, release_dir: Path) -> None:
    """Copy what a released notebook needs to run on its own next to it."""
    copy_support_files(assignment, release_dir)
