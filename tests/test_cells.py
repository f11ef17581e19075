"""A cell is read as IPython reads it (`notebooks.python_source`), fast path included."""

from __future__ import annotations

import warnings

from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.core.inputtransformer2 import TransformerManager

from autograder.execute import no_ipython
from autograder.notebooks import _plain_python, python_source

PIECES = ["x = 1", "y = (2", "% 3)", "z = [1,", "  2]", "def f(a):", "    return a",
          "\tpass", "s = 'a\u2028b'", "t = \"\"\"%\n!\"\"\"", "# why?", "%time q = 1",
          "!echo hi", "r = !ls", "x?", "  %%time", "%%capture", "a = 1 \\", " + 2", "\x0c",
          "print(1); print(2)", "class C:", "    v = 1", ">>> w = 1", "import numpy as np",
          "if x:", "    y = 1", "else:", "    y = 2", "lam = lambda q: q % 2", ""]


def _without_blank_start(source: str) -> str:
    lines = source.splitlines(keepends=True)
    while lines and (not lines[0].strip() or lines[0].isspace()):
        lines.pop(0)
    return "".join(lines)


def _ipython(source: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TransformerManager().transform_cell(source)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8))
def test_the_fast_path_changes_nothing_ipython_would_change(lines):
    source = "\n".join(lines) + "\n"
    if _plain_python(source):  # (IPython drops leading blank lines: only numbering changes)
        assert _without_blank_start(_ipython(source)) == _without_blank_start(source)
        assert python_source(source) == source


def test_magics_that_define_names_define_them():
    for cell, name in [("%time q = 3\n", "q"), ("  %%time\n  def f():\n      return 1\n", "f"),
                       ("%%capture\n%%time\nx = 2\n", "x"), ("x = (1\n% 2)\n", "x")]:
        namespace = {"get_ipython": no_ipython}
        exec(python_source(cell), namespace)
        assert name in namespace, cell
    namespace = {"get_ipython": no_ipython}
    exec(python_source("%%timeit\ndef g():\n    pass\n"), namespace)
    assert "g" not in namespace  # IPython runs a %%timeit body in a function of its own
