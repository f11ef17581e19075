"""Instructor command line: `python -m autograder COMMAND ...` (see --help)."""

from __future__ import annotations

import argparse
import importlib
import sys

from .course import NbgraderError
from .layout import NotebookError

# command -> (module with `add_arguments(parser)` and `main(args) -> int`, help text)
COMMANDS = {
    "release": ("autograder.release", "build the student release of assignments"),
    "demo": ("autograder.demo", "release, synthesize a class, autograde it, print grades"),
    "grade": ("autograder.grader.cli", "grade a folder or .zip of submissions in a sandbox"),
    "similarity": ("autograder.similarity", "rank pairs of students by similar answer code"),
    "gradescope": ("autograder.gradescope", "build a Gradescope autograder bundle (.zip)"),
    "verify": ("autograder.verify.cli", "check tests catch every catalog mistake"),
    "sync-tests": ("autograder.authoring", "regenerate hidden-test cells from autograder.cases"),
    "export-layers": ("autograder.export", "write the layer modules later assignments ship"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        modules[name] = importlib.import_module(module_name)
        modules[name].add_arguments(commands.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].main(args) or 0)
    except (NotebookError, NbgraderError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
