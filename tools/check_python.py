"""Fail setup with one line when the Python that would build .venv is too old."""

import sys

if sys.version_info < (3, 10):
    found = ".".join(map(str, sys.version_info[:3]))
    sys.exit(f"error: the kit needs Python 3.10 or newer, but `{sys.executable}` is {found}; "
             f"run `make PYTHON=python3.11 ...` with a newer interpreter")
