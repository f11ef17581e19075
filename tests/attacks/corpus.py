"""Build the adversarial corpus: one submission folder per attack in this directory.

Each attack is a small module here with:
  CELLS      {grade_id: source} replacing answer cells of the CURRENT rnn solution;
             "<<SOLUTION>>" and "<<STUB>>" in a source expand to that cell's reference
             solution and its release stub (raise NotImplementedError());
             "<<INDENTED_SOLUTION>>": the solution with every line indented.
  STUB       functions replaced by their release stub before CELLS apply.
  mutate(nb) optional: the notebook dict -> dict, str or bytes written as the file.
  layout(folder, text) optional: write the student's folder yourself.
  STUDENT    optional student id (folder name); defaults to the module name.
  ZERO       functions whose tests must all score 0, or "all"; every other test: full marks.
  ZERO_TESTS single tests that must score 0 (e.g. a side condition the attack breaks).
  STATUS     expected status prefix, or a tuple of them (default "graded").
  STOCK_SAFE False when running it under stock nbgrader (no limits) could harm the machine.
  STOCK_SKIP why measure_stock.py leaves it out of the stock batch (e.g. far too slow there).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from autograder.course import solution_submission, with_answers
from autograder.notebooks import answer_cells, cell_source, read_notebook
from autograder.layout import source_notebook
from autograder.notebooks import strip_solution_markers

HERE = Path(__file__).parent
ASSIGNMENT = "rnn"


@dataclass
class Attack:
    name: str
    module: ModuleType

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self.module, key, default)

    @property
    def student(self) -> str:
        return self.get("STUDENT", self.name)

    @property
    def doc(self) -> str:
        return (self.module.__doc__ or "").strip().splitlines()[0]


def attacks() -> list[Attack]:
    found = []
    for path in sorted(HERE.glob("a_*.py")):
        spec = importlib.util.spec_from_file_location(f"attack_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.append(Attack(path.stem[2:], module))
    return found


def _sources(release: dict) -> tuple[dict[str, str], dict[str, str]]:
    solutions = {gid: strip_solution_markers(cell_source(cell)) for gid, cell in
                 answer_cells(read_notebook(source_notebook(ASSIGNMENT))).items()}
    stubs = {gid: cell_source(cell) for gid, cell in answer_cells(release).items()}
    return solutions, stubs


def _indented(source: str) -> str:
    return "".join("  " + line if line.strip() else line for line in source.splitlines(True))


def submission(attack: Attack, release: dict) -> dict | str | bytes:
    solutions, stubs = _sources(release)
    notebook = solution_submission(release, ASSIGNMENT)
    notebook = with_answers(notebook, {f: stubs[f] for f in attack.get("STUB", ())})
    cells = {gid: src.replace("<<INDENTED_SOLUTION>>", _indented(solutions[gid]))
             .replace("<<SOLUTION>>", solutions[gid]).replace("<<STUB>>", stubs[gid])
             for gid, src in attack.get("CELLS", {}).items()}
    notebook = with_answers(notebook, cells)
    mutate = attack.get("mutate")
    return mutate(notebook) if mutate else notebook


def build(folder: Path, release: dict, only: list[str] | None = None) -> list[Attack]:
    """Write every attack's submission under `folder`; returns the attacks written."""
    written = []
    for attack in attacks():
        if only is not None and attack.name not in only:
            continue
        content = submission(attack, release)
        if not isinstance(content, (str, bytes)):
            content = json.dumps(content, indent=1)
        data = content.encode() if isinstance(content, str) else content
        student = folder / attack.student
        student.mkdir(parents=True, exist_ok=True)
        layout = attack.get("layout")
        if layout:
            layout(student, data)
        else:
            (student / f"{ASSIGNMENT}.ipynb").write_bytes(data)
        written.append(attack)
    return written


def expected_scores(attack: Attack, tests) -> dict[str, float]:
    """test name -> the points the honest part of the attack deserves."""
    zero = attack.get("ZERO", ())
    scores = {}
    for test in tests:
        if zero == "all" or test.function in zero or test.name in attack.get("ZERO_TESTS", ()):
            scores[test.name] = 0.0
        else:
            scores[test.name] = float(test.points)
    return scores
