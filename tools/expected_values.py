"""The expected values printed into a notebook's visible tests, computed from its solution.

A visible test's template is run with the reference solution up to its "# EXPECTED" line;
every `expected_<name>` used after that line is then written in as a literal of the variable
<name> the run left behind. So a rebuilt notebook never carries stale values (and `make test`,
which executes the solution notebook, fails on any that are).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograder.export import BUILD_DIR, write_layers
from autograder.layout import SHIPPED_LAYERS

MARKER = "# EXPECTED\n"
Layout = Callable[[str, bool], str]  # (numpy's text of an array, is it integer) -> the text


def reference(assignment: str, sources: Iterable[str]) -> dict[str, Any]:
    """The namespace of the solution notebook once `sources` (setup, helpers, answers) ran."""
    for earlier in SHIPPED_LAYERS[assignment]:
        write_layers(earlier)
    # The setup cells import the earlier assignments' layers, as a release ships them.
    if str(BUILD_DIR) not in sys.path:
        sys.path.insert(0, str(BUILD_DIR))
    ns: dict[str, Any] = {"__name__": f"{assignment}_reference"}
    for source in sources:
        exec(source, ns)
    return ns


def fill(template: str, ns: dict[str, Any], layout: Layout) -> str:
    """Run the visible test's setup part with the reference and fill in expected_* values."""
    head, _, tail = template.partition(MARKER)
    local = dict(ns)  # a copy: one test's variables must not leak into the next
    exec(head, local)
    lines = [f"expected_{name} = {literal(local[name], layout)}" for name in expected_names(tail)]
    return head + "\n".join(lines) + "\n" + tail


def expected_names(tail: str) -> list[str]:
    """The <name> of every `expected_<name>` in `tail`, once each, in order of first use."""
    return list(dict.fromkeys(re.findall(r"expected_(\w+)", tail)))


def aligned(body: str, integer: bool) -> str:
    """Continuation lines aligned under the first, blank ones empty (no trailing blanks)."""
    lines = body.split("\n")
    return "\n".join([lines[0]] + [(" " * 9 + line).rstrip() if line.strip() else ""
                                   for line in lines[1:]])


def shifted(body: str, integer: bool) -> str:
    """seq2seq's layout, kept so that its built notebook does not change: a float array's
    continuation lines one column right of `aligned`'s (blank ones too), an integer array's
    as numpy prints them."""
    return body if integer else body.replace("\n", "\n" + " " * 10)


def literal(value: Any, layout: Layout = aligned) -> str:
    """Python source for `value`: a float's repr, else np.array(...) (floats to 12 decimals)."""
    if isinstance(value, float):
        return repr(value)
    value = np.asarray(value)
    integer = value.dtype.kind in "iub"
    if integer:
        body = np.array2string(value, separator=", ", max_line_width=88)
    else:
        body = np.array2string(value, separator=", ", precision=12, max_line_width=88,
                               floatmode="maxprec", suppress_small=False)
    return "np.array(" + layout(body, integer) + ")"
