"""Instructor command line: `python -m autograder COMMAND ...` (see --help)."""

from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module with `add_arguments(parser)` and `main(args) -> int`, help text)
COMMANDS = {
    "release": ("autograder.release", "build the student release of assignments"),
    "demo": ("autograder.demo", "release, synthesize a class, autograde it, print grades"),
    "grade": ("autograder.grader.cli", "grade a folder or .zip of submissions in a sandbox"),
    "verify": ("autograder.verify", "check tests catch every catalog mistake"),
    "sync-tests": ("autograder.authoring", "regenerate hidden-test cells from autograder.cases"),
    "export-layers": ("autograder.export", "write the layer modules later assignments ship"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if not module_name.startswith(str(err.name)):
                raise
            continue
        module.add_arguments(sub)
        modules[name] = module
    args = parser.parse_args(argv)
    if args.command not in modules:
        parser.error(f"command {args.command!r} is not available in this version")
    from .course import NbgraderError
    from .layout import NotebookError

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
