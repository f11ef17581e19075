"""`python -m autograder gradescope ASSIGNMENT --out autograder.zip`: a Gradescope bundle.

The zip holds, at its root (Gradescope's autograder format):

- `setup.sh`: run once on Gradescope's Ubuntu image: libseccomp2 (the sandbox's filter)
  from apt, a Python of at least the version the bundle was built with, a virtual
  environment with the pinned `requirements.txt`, the kit's code made importable, and
  `kit/data/` made root's only (the grader's `protect_reference` does so again per run);
- `run_autograder`: run per submission; `autograder.grader.gradescope_run` grades
  /autograder/submission/ into /autograder/results/results.json in the kit's sandbox;
- `requirements.txt`: the grader side's packages, pinned to the versions it was built
  and tested with (their dependencies too);
- `kit/`: the grader's code (`autograder/` without the mistake catalog, the verifier or
  other assignments' cases), `course_utils/` and `datasets/` (what a student may import),
  the earlier assignments' layer modules this release ships anyway (`build/layers/`),
  `gradescope.json` (assignment, limits) and `data/<a>.pkl.gz`: the stored reference
  (`precomputed`): the release notebook, cases with tolerances, expected outputs, the
  catalog mistakes' outputs and hints, and the source of the helper functions a retry
  needs, the one part of the solution it ships (docs/grader.md, "Gradescope").
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import stat
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from . import fingerprints, precomputed, suite
from .export import write_layers
from .grader.batch import release_notebook
from .grader.gradescope_run import SETTINGS
from .grader.report import written_answers
from .layout import (
    ASSIGNMENTS,
    MEMORY_MB,
    REPO_ROOT,
    SHIPPED_LAYERS,
    SUPPORT_PACKAGES,
    TIMEOUT,
    layer_module,
)
from .mutants import catalog
from .solutions import setup_source, solution_sources
from .spec import Test

# What the grader imports at run time (the sandbox's worker too); their dependencies are
# pinned with them.
RUNTIME_PACKAGES = ("numpy", "matplotlib", "ipython", "tqdm", "pyseccomp")
CACHE = REPO_ROOT / "build" / "gradescope"
SKIPPED_DIRS = {"__pycache__", "tests", "verify", "mutants"}


def _key(test: Test) -> str:
    cases = test.cases
    return f"{getattr(cases, '__module__', '')}.{getattr(cases, '__qualname__', id(cases))}"


def helper_sources(assignment: str) -> dict[str, str]:
    """The solution of every function a retry may ask the grader for (`Test.fallback`),
    and of the graded functions those call, in notebook order."""
    solutions = solution_sources(assignment)
    needed = {h for test in suite.tests_for(assignment) for h in test.fallback}
    pending = list(needed)
    while pending:
        source = solutions[pending.pop()]
        for name in solutions:
            if name not in needed and re.search(rf"\b{re.escape(name)}\b", source):
                needed.add(name)
                pending.append(name)
    return {name: source for name, source in solutions.items() if name in needed}


def stored_reference(assignment: str, cache: Path = CACHE) -> precomputed.Precomputed:
    """Everything grading reads of `assignment`'s reference, computed here once."""
    release = release_notebook(assignment, cache)
    builders: dict[str, str] = {}
    cases: dict[str, tuple] = {}
    expected: dict[str, tuple] = {}
    outputs: dict[tuple[str, str, int], object] = {}
    for test in suite.tests_for(assignment):
        key = builders[test.name] = _key(test)
        if key not in cases:
            cases[key] = suite.cases(assignment, test.name)
            expected[key] = tuple(suite.expected(assignment, test.name, i)
                                  for i in range(len(cases[key])))
        for index, case in enumerate(suite.cases(assignment, test.name)):
            for mutant in fingerprints._candidates(assignment, test, case):
                if (mutant.key, key, index) not in outputs:
                    outputs[mutant.key, key, index] = fingerprints.mutant_outputs(
                        assignment, mutant, test, case)
    mutants = tuple((m.function, m.name, m.hint) for m in catalog(assignment))
    return precomputed.Precomputed(
        assignment, release, builders, cases, expected, mutants, outputs,  # type: ignore[arg-type]
        setup_source(assignment), helper_sources(assignment), written_answers(assignment))


def requirements(packages: tuple[str, ...] = RUNTIME_PACKAGES) -> list[str]:
    """`name==version` for `packages` and everything they need, as installed here. One of
    `packages` missing is an error: the bundle would pass here and fail in setup.sh's
    import check on Gradescope (build it with the project's environment)."""
    from packaging.requirements import Requirement

    pinned: dict[str, str] = {}
    pending = list(packages)
    while pending:
        name = pending.pop()
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            if name in packages:
                raise SystemExit(f"{name} is not installed in {sys.executable}: build the "
                                 "bundle with the project's environment") from None
            continue
        canonical = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if canonical in pinned:
            continue
        pinned[canonical] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return [f"{name}=={version}" for name, version in sorted(pinned.items())]


SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
# It installs what the kit's sandboxed grader needs; the kit's code is already in
# /autograder/source/kit.
set -euo pipefail
SOURCE=/autograder/source
VENV=/autograder/kit-venv
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# libseccomp2: the sandbox's system-call filter (through pyseccomp's ctypes binding).
apt-get install -y -qq libseccomp2 ca-certificates python3 python3-venv
# A Python of at least {major}.{minor} (the pinned packages need it) beside the system
# python3, which Gradescope's own harness uses and which stays as it is.
PY=""
for candidate in python{major}.{minor} python3; do
  if command -v "$candidate" >/dev/null 2>&1 && \
     "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < ({major}, {minor}))'; then
    PY="$candidate"; break
  fi
done
if [ -z "$PY" ]; then
  apt-get install -y -qq python{major}.{minor} python{major}.{minor}-venv
  PY=python{major}.{minor}
fi
"$PY" -m venv "$VENV" || { apt-get install -y -qq "$PY-venv"; "$PY" -m venv "$VENV"; }
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r "$SOURCE/requirements.txt"
# The kit importable by the grader and by its worker (`python -I` still reads .pth files).
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$SOURCE/kit" > "$SITE/rnn_course_kit.pth"
# The stored reference (expected outputs, the retry helpers' solutions) for root only: in
# a container that refuses the sandbox its namespaces, the student's code runs as another
# uid in this file system (run_autograder's grader does this again before each run).
chmod -R go-rwx "$SOURCE/kit/data"
"$VENV/bin/python" -c "import numpy, matplotlib, IPython, pyseccomp, autograder.grader.worker"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this once per submission, as root, in /autograder: grade
# /autograder/submission/ into /autograder/results/results.json with the kit's sandbox.
# KIT_GRADESCOPE_ROOT and KIT_PYTHON point it elsewhere (the kit's own tests).
ROOT="${KIT_GRADESCOPE_ROOT:-/autograder}"
PY="${KIT_PYTHON:-$ROOT/kit-venv/bin/python}"
mkdir -p "$ROOT/results"
chmod go-w "$ROOT/results" 2>/dev/null || true  # the sandbox's uid writes nothing here
rm -f "$ROOT/results/results.json"
code=0
if cd "$ROOT/source/kit"; then
  "$PY" -m autograder.grader.gradescope_run --root "$ROOT" || code=$?
else
  code=$?
fi
if [ ! -s "$ROOT/results/results.json" ]; then
  # The grader did not even start: still a valid results.json, with one line.
  message="The autograder could not start (exit status $code). Please tell the course staff."
  printf '{"score": 0.0, "output": "%s", "tests": []}\n' "$message" \
    > "$ROOT/results/results.json"
fi
exit 0
"""


def _executable(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def _tree(archive: zipfile.ZipFile, source: Path, target: str, skip: set[str]) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or set(relative.parts) & SKIPPED_DIRS or path.suffix == ".pyc":
            continue
        if relative.as_posix() in skip:
            continue
        archive.write(path, f"{target}/{relative.as_posix()}")


def shipped_modules(assignment: str) -> set[str]:
    """Paths under autograder/ the bundle leaves out: other assignments' cases."""
    return {f"cases/{a}.py" for a in ASSIGNMENTS if a != assignment}


def build(assignment: str, out: Path, timeout: float = TIMEOUT,
          memory_mb: int = MEMORY_MB, cache: Path = CACHE) -> Path:
    """Write the bundle for `assignment` to `out` (a .zip); returns `out`. `cache` keeps
    the release notebook (generated by nbgrader once per source notebook)."""
    data = stored_reference(assignment, cache)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = {"assignment": assignment, "timeout": timeout, "memory_mb": memory_mb,
                "data": f"data/{assignment}.pkl.gz"}
    major, minor = sys.version_info[:2]
    with tempfile.TemporaryDirectory(prefix="kit-gradescope-") as tmp:
        stored = Path(tmp) / f"{assignment}.pkl.gz"
        precomputed.save(data, stored)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            _executable(archive, "setup.sh",
                        SETUP_SH.replace("{major}", str(major)).replace("{minor}", str(minor)))
            _executable(archive, "run_autograder", RUN_AUTOGRADER)
            archive.writestr("requirements.txt", "\n".join(requirements()) + "\n")
            archive.writestr(f"kit/{SETTINGS}", json.dumps(settings, indent=1) + "\n")
            archive.write(stored, f"kit/{settings['data']}")
            _tree(archive, REPO_ROOT / "autograder", "kit/autograder",
                  shipped_modules(assignment))
            archive.write(REPO_ROOT / "autograder" / "mutants" / "__init__.py",
                          "kit/autograder/mutants/__init__.py")
            for package in SUPPORT_PACKAGES:
                _tree(archive, REPO_ROOT / package, f"kit/{package}", set())
            for earlier in SHIPPED_LAYERS.get(assignment, ()):
                name = f"{layer_module(earlier)}.py"
                archive.write(write_layers(earlier), f"kit/build/layers/{name}")
    return out



def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="assignment name, e.g. rnn")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"),
                        help="the bundle to write (default: autograder.zip)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="wall-clock seconds per step (loading the code, one test case)")
    parser.add_argument("--memory", type=int, default=MEMORY_MB,
                        help="MB of address space the student's code may add")


def main(args: argparse.Namespace) -> int:
    out = build(args.assignment, args.out, args.timeout, args.memory)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): upload it as the assignment's "
          "autograder on Gradescope (Configure Autograder > Zip file upload)")
    return 0
