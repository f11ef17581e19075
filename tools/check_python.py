"""Fail setup with one line when the Python that would build .venv is too old.

Written for any Python 3 (no f-strings), since its job is to run on the wrong one.
"""

import sys

if sys.version_info < (3, 10):  # noqa: UP036 - this script exists to catch old Pythons
    found = ".".join(str(part) for part in sys.version_info[:3])
    message = "error: the kit needs Python 3.10+, but {} is {}; try `make PYTHON=python3.11`"
    sys.exit(message.format(sys.executable, found))
