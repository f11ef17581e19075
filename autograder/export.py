"""Layer modules shipped with later assignments, generated from earlier solutions.

`lstm` uses the RNN layers and `char_lm` uses the RNN, LSTM and GRU layers. Instructors
release those assignments after the earlier deadlines; the solution code itself stays
written once, in the earlier source notebook, and is exported from there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .layout import (
    BUILD_DIR,
    REPO_ROOT,
    SHIPPED_LAYERS,
    SUPPORT_PACKAGES,
    available_assignments,
    layer_module,
    source_notebook,
)
from .solutions import setup_source, solution_sources


def layers_source(assignment: str) -> str:
    """Python source of `<assignment>_layers.py`: setup imports plus every solution."""
    header = (f'"""Reference layers of the `{assignment}` assignment, generated from its '
              f'source notebook.\n\nDo not edit: regenerate with '
              f'`python -m autograder export-layers`.\n"""\n\n')
    body = "\n\n".join(source.strip() for source in solution_sources(assignment).values())
    return header + setup_source(assignment).strip() + "\n\n\n" + body + "\n"


def write_layers(assignment: str, directory: Path = BUILD_DIR) -> Path:
    """Write `<assignment>_layers.py` into `directory` unless it is already up to date."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{layer_module(assignment)}.py"
    if path.exists() and not source_notebook(assignment).exists():
        return path  # a grading bundle: shipped prebuilt, without the source notebook
    source = layers_source(assignment)
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        path.write_text(source, encoding="utf-8")
    return path


def ensure_layer_modules(directory: Path = BUILD_DIR) -> list[Path]:
    """Generate every layer module any assignment ships (instructor side, git-ignored)."""
    needed = sorted({a for sources in SHIPPED_LAYERS.values() for a in sources})
    return [write_layers(a, directory) for a in needed if a in available_assignments()]


def copy_support_files(assignment: str, target: Path) -> None:
    """Copy what a student of `assignment` may import into `target`: the support packages
    and the layer modules of the earlier assignments its release ships, nothing else.
    Used for a release and for every grading sandbox."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
    for package in SUPPORT_PACKAGES:
        shutil.rmtree(target / package, ignore_errors=True)
        shutil.copytree(REPO_ROOT / package, target / package, ignore=ignore)
    for earlier in SHIPPED_LAYERS.get(assignment, ()):
        shutil.copy2(write_layers(earlier), target / f"{layer_module(earlier)}.py")


def add_arguments(parser) -> None:
    parser.add_argument("--dir", default=str(BUILD_DIR), help="output folder")


def main(args) -> int:
    for path in ensure_layer_modules(Path(args.dir)):
        print(f"wrote {path}")
    return 0
