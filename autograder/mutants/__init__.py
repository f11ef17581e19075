"""The mistake catalog: typical wrong implementations of every graded function.

A mutant is the ONE reference solution with a small, realistic bug put in: a text patch
applied to the solution source of one function (as `autograder.solutions.solution_sources`
gives it), plus the hint a student sees when their outputs match the mutant's. The
catalog of assignment `a` is the list `MUTANTS` in `autograder/mutants/<a>.py`; adding a
mistake means adding one `Mutant(...)` entry there.

Patches are checked when they are applied: every `old` text must occur exactly once in
the current solution, so a solution edit that invalidates a mutant fails loudly (with a
one-line `MutantError`) instead of silently testing nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..namespaces import run_cells
from ..solutions import setup_source, solution_sources

MIN_MUTANTS = 4  # per graded function: `verify` fails on a thinner catalog


class MutantError(Exception):
    """A mutant cannot be built from the current solution; the message is one line."""


@dataclass(frozen=True)
class Mutant:
    """One catalog mistake of `function`.

    `patch` is a sequence of `(old, new)` replacements applied in order to the solution
    source of `function`; `hint` completes the sentence "<output> matches what you get
    when ...", e.g. "the gradient from step t+1 is not added to dh[:, t]".
    """

    function: str
    name: str
    hint: str
    patch: Sequence[tuple[str, str]]  # made a tuple: a mutant is hashable
    assignment: str = ""  # filled in by `catalog`

    def __post_init__(self) -> None:
        object.__setattr__(self, "patch", tuple((str(o), str(n)) for o, n in self.patch))
        if not self.patch:
            raise MutantError(f"mutant {self.key}: empty patch")

    @property
    def key(self) -> str:
        return f"{self.function}/{self.name}"

    def source(self) -> str:
        """The mutant's answer cell: its function's solution, patched (see `mutant_source`)."""
        return mutant_source(self.assignment, self)


@functools.cache
def catalog(assignment: str) -> tuple[Mutant, ...]:
    """The catalog of `assignment` (MUTANTS in autograder/mutants/<assignment>.py).

    An assignment without a catalog module has an empty catalog.
    """
    try:
        module = importlib.import_module(f"{__name__}.{assignment}")
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.{assignment}":
            raise
        return ()
    mutants = tuple(dataclasses.replace(m, assignment=assignment) for m in module.MUTANTS)
    keys = [m.key for m in mutants]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise MutantError(f"{assignment}: duplicated mutant names {duplicated}")
    return mutants


def for_function(assignment: str, function: str) -> tuple[Mutant, ...]:
    return tuple(m for m in catalog(assignment) if m.function == function)


def find_mutant(assignment: str, key: str) -> Mutant:
    """The catalog mutant called `key` ("function/name")."""
    for mutant in catalog(assignment):
        if mutant.key == key:
            return mutant
    raise KeyError(f"no mutant {key!r} in the catalog of {assignment!r}")


def _one_line(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def apply_patch(source: str, mutant: Mutant, assignment: str = "?") -> str:
    """`source` with the mutant's replacements made, or a one-line `MutantError`."""
    for old, new in mutant.patch:
        count = source.count(old)
        if count != 1:
            how = "not found" if count == 0 else f"found {count} times"
            raise MutantError(
                f"mutant {assignment}:{mutant.key} no longer applies to the solution: "
                f"{_one_line(old)!r} {how} in {mutant.function}")
        source = source.replace(old, new)
    return source


def mutant_source(assignment: str, mutant: Mutant) -> str:
    """Source of the mutant's answer cell: the solution of its function, patched."""
    solutions = solution_sources(assignment)
    if mutant.function not in solutions:
        raise MutantError(f"mutant {assignment}:{mutant.key}: {assignment} has no graded "
                          f"function {mutant.function!r}")
    source = apply_patch(solutions[mutant.function], mutant, assignment)
    try:
        compile(source, f"<mutant {mutant.key}>", "exec")
    except SyntaxError as err:
        raise MutantError(f"mutant {assignment}:{mutant.key} is not valid Python after "
                          f"patching (line {err.lineno}: {err.msg})") from None
    return source


def check_catalog(assignment: str) -> tuple[Mutant, ...]:
    """Every mutant of `assignment`, each checked to apply; raises the first MutantError.

    (`verify` also requires at least `MIN_MUTANTS` of them per graded function.)
    """
    mutants = catalog(assignment)
    for mutant in mutants:
        mutant_source(assignment, mutant)
    return mutants


def mutant_namespace(assignment: str, mutant: Mutant) -> dict[str, Any]:
    """Globals of a notebook that is the solution except for this mutant.

    Built like a notebook: setup code, then every answer cell, the mutant's patched. So a
    correct function that calls the mutated one (rnn_forward calling rnn_step_forward)
    inherits its bug, exactly as in a student's notebook.
    """
    cells = [(name, mutant_source(assignment, mutant) if name == mutant.function else source)
             for name, source in solution_sources(assignment).items()]
    return run_cells(assignment, [("setup", setup_source(assignment)), *cells],
                     f"mutant_{assignment}")


@functools.cache
def mutant_functions(assignment: str, mutant: Mutant) -> dict[str, Callable[..., Any]]:
    """The graded functions of `mutant_namespace` (cached), keyed by name."""
    namespace = mutant_namespace(assignment, mutant)
    return {name: namespace[name] for name in solution_sources(assignment)}
