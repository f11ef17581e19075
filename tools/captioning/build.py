"""Build assignments/captioning/captioning.ipynb from tools/captioning/{solutions,text}.py.

    python tools/captioning/build.py      # then: python -m autograder sync-tests captioning

The visible tests' expected literals are computed here from the reference solution, so a
rebuilt notebook never carries stale values.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(ROOT), str(ROOT / "build" / "layers")]

import solutions as S  # noqa: E402
import text as X  # noqa: E402

from autograder import authoring as au  # noqa: E402
from autograder.export import write_layers  # noqa: E402


def reference() -> dict:
    for earlier in ("rnn", "lstm", "char_lm"):
        write_layers(earlier)
    ns: dict = {"__name__": "captioning_reference"}
    exec(S.SETUP, ns)
    exec(S.DECODER, ns)
    exec(X.CHECK_HELPERS, ns)  # the visible tests' setup parts call check_contracts, check_runs
    for source in S.SOLUTIONS.values():
        exec(source, ns)
    return ns


def literal(value) -> str:
    if isinstance(value, float):
        return repr(value)
    value = np.asarray(value)
    if value.dtype.kind in "iub":
        body = np.array2string(value, separator=", ", max_line_width=88)
    else:
        body = np.array2string(value, separator=", ", precision=12, max_line_width=88,
                               floatmode="maxprec", suppress_small=False)
    lines = body.split("\n")  # continuation lines aligned under the first, no trailing blanks
    body = "\n".join([lines[0]] + [(" " * 9 + line).rstrip() if line.strip() else ""
                                    for line in lines[1:]])
    return "np.array(" + body + ")"


def fill(template: str, ns: dict) -> str:
    """Run the visible test's setup part with the reference and fill in expected_* values."""
    head, _, tail = template.partition("# EXPECTED\n")
    local = dict(ns)
    exec(head, local)
    lines = []
    for name in X.expected_names(tail):
        lines.append(f"expected_{name} = {literal(local[name])}")
    return head + "\n".join(lines) + "\n" + tail


def main() -> None:
    ns = reference()
    cells = []
    for kind, *rest in X.CELLS:
        if kind == "md":
            cells.append(au.markdown(rest[0]))
        elif kind == "setup":
            source = {"SETUP": S.SETUP, "DECODER": S.DECODER}.get(rest[1], rest[1])
            cells.append(au.setup(source, grade_id=rest[0]))
        elif kind == "locked":
            cells.append(au.visible("", rest[1]) | {})
            cells[-1]["metadata"]["nbgrader"]["grade_id"] = rest[0]
        elif kind == "answer":
            cells.append(au.answer(rest[0], S.SOLUTIONS[rest[0]]))
        elif kind == "visible":
            cells.append(au.visible(rest[0], fill(rest[1], ns)))
        elif kind == "code":
            cells.append(au.code(rest[0]))
        elif kind == "written":
            cells.append(au.written(rest[0], rest[1], model_answer=rest[2]))
    path = ROOT / "assignments" / "captioning" / "captioning.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    au.save(au.new_notebook(cells), path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
