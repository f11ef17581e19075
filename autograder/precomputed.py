"""Grading without the source notebook: what the grader needs of the reference, stored.

A Gradescope bundle (`autograder.gradescope`) ships no source notebook, no mistake
catalog and no solution beyond the helpers a retry needs. What the grader would compute
from them is computed once when the bundle is built and stored here: the release notebook,
every test's cases (with their tolerances) and the reference's outputs on them, and each
candidate catalog mistake's outputs on them (to name a mistake in a hint). `install(data)`
makes `suite`, `fingerprints`, `reference` and `report` read it instead of the source
notebook; nothing changes for a process that installs nothing.

The one thing that cannot be stored is the retry oracle (`grader.runner`): it runs a
reference helper on arguments the student's code chooses. So the sources of those helper
functions (`Test.fallback`, and the graded functions they call) are shipped, and nothing
else of the solution.
"""

from __future__ import annotations

import gzip
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .layout import Notebook
from .spec import Case

FORMAT = 1  # bumped when the stored layout changes: an old bundle then fails in one line


@dataclass
class Precomputed:
    """Everything of one assignment's reference that grading reads, as data."""

    assignment: str
    release: Notebook
    builders: dict[str, str]                      # test name -> its cases' key (shared)
    cases: dict[str, tuple[Case, ...]]            # cases' key -> cases, tolerances set
    expected: dict[str, tuple[Mapping[str, Any], ...]]  # cases' key -> reference outputs
    mutants: tuple[tuple[str, str, str], ...]     # (function, name, hint); no patches
    mutant_outputs: dict[tuple[str, str, int], Mapping[str, Any] | None]  # (mutant key,
    #                                               cases' key, index) -> outputs
    setup: str                                    # the setup cells (also in the release)
    helpers: dict[str, str]                       # helper function -> its solution source
    written: tuple[int, float] | None             # (questions, points) graded by hand
    version: int = FORMAT

    def cases_of(self, test_name: str) -> tuple[Case, ...]:
        return self.cases[self.builders[test_name]]

    def expected_of(self, test_name: str, index: int) -> Mapping[str, Any]:
        return self.expected[self.builders[test_name]][index]

    def mutant_output(self, mutant_key: str, test_name: str,
                      index: int) -> Mapping[str, Any] | None:
        return self.mutant_outputs.get((mutant_key, self.builders[test_name], index))


_active: dict[str, Precomputed] = {}


def install(data: Precomputed) -> None:
    """Grade `data.assignment` from `data` in this process (see the module's doc)."""
    _active[data.assignment] = data


def uninstall(assignment: str) -> None:
    _active.pop(assignment, None)


def active(assignment: str) -> Precomputed | None:
    """The stored reference of `assignment`, when this process grades from one."""
    return _active.get(assignment)


def save(data: Precomputed, path: Path) -> None:
    with gzip.open(path, "wb", compresslevel=6) as sink:
        pickle.dump(data, sink, protocol=pickle.HIGHEST_PROTOCOL)


def load(path: Path) -> Precomputed:
    """A bundle's data file (written by `save` when the bundle was built: trusted)."""
    with gzip.open(path, "rb") as source:
        data = pickle.load(source)
    if not isinstance(data, Precomputed) or data.version != FORMAT:
        raise ValueError(f"{path.name}: not a grading data file of this kit's version")
    return data
