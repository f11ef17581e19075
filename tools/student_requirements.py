"""Print the student dependencies (pyproject's `student` extra) for `pip install $(...)`."""

import re
from pathlib import Path

text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
# A regex rather than tomllib, so this also runs on Python 3.10.
listed = re.search(r"^student\s*=\s*\[(.*?)\]", text, re.M | re.S).group(1)
print(" ".join(re.findall(r'"([^"]+)"', listed)))
