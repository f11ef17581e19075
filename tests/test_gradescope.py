"""The Gradescope bundle, run for real: `python -m autograder gradescope rnn` builds the
zip; each test unzips it into a temporary folder laid out as Gradescope's /autograder
tree (source/, submission/, results/) and runs `run_autograder` as a subprocess, as
Gradescope does (KIT_GRADESCOPE_ROOT points it at the folder, KIT_PYTHON at this
environment's interpreter instead of the venv setup.sh would make). setup.sh itself is
not run here (it apt-installs); it is checked for syntax and for what it installs, and
`tools/gradescope_image.sh` runs it for real on a fresh Ubuntu 22.04 root file system.

The grader's own process imports the bundle's copy of the kit (run_autograder starts it
in source/kit); the sandbox's worker, started with `python -I`, imports the kit through
this environment's editable install (setup.sh's .pth does that on Gradescope), so
`test_the_bundle_has_what_the_worker_imports` checks those modules are in the bundle.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from autograder import suite
from autograder.course import solution_submission, with_answers
from autograder.grader.batch import release_notebook
from autograder.grader.gradescope_run import write_results
from autograder.gradescope import build, helper_sources, requirements
from autograder.mutants import catalog, mutant_source
from autograder.solutions import solution_sources
from autograder.spec import VISIBILITIES

sys.path.insert(0, str(Path(__file__).parent / "attacks"))
import corpus  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "kit-grader-test-cache"
TIMEOUT = 3.0


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return build("rnn", tmp_path_factory.mktemp("bundle") / "autograder.zip",
                 timeout=TIMEOUT, cache=CACHE)


@pytest.fixture(scope="module")
def release() -> dict:
    return release_notebook("rnn", CACHE)


def run_autograder(bundle: Path, root: Path, files: dict[str, bytes],
                   python: str = sys.executable) -> dict:
    """Lay out /autograder under `root`, run run_autograder as Gradescope would, and
    return results.json (which must exist and be JSON)."""
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    for script in ("run_autograder", "setup.sh"):  # zipfile drops the mode bits
        (root / "source" / script).chmod(0o755)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root),
           "KIT_GRADESCOPE_ROOT": str(root), "KIT_PYTHON": python}
    done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def check_schema(results: dict) -> None:
    """Gradescope's results.json: the fields and types its specification documents."""
    assert isinstance(results["score"], (int, float))
    assert isinstance(results["output"], str) and results["output"]
    assert isinstance(results["tests"], list)
    for key in ("visibility", "stdout_visibility"):
        assert results.get(key, "visible") in VISIBILITIES
    assert isinstance(results.get("execution_time", 0), (int, float))
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float))
        assert isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["visibility"] in VISIBILITIES
    if results["tests"]:
        assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))


def _notebook(notebook: dict | str | bytes) -> bytes:
    if isinstance(notebook, bytes):
        return notebook
    return (notebook if isinstance(notebook, str) else json.dumps(notebook)).encode()


def _scores(results: dict) -> dict[str, float]:
    return {t["name"]: t["score"] for t in results["tests"]}


def test_a_correct_submission_gets_full_marks_whatever_the_upload_is_called(
        bundle, release, tmp_path):
    notebook = solution_submission(release, "rnn")
    results = run_autograder(bundle, tmp_path, {"My rnn (2).ipynb": _notebook(notebook)})
    check_schema(results)
    tests = suite.tests_for("rnn")
    assert results["score"] == sum(t.points for t in tests)
    assert _scores(results) == {t.name: t.points for t in tests}
    assert results["output"].startswith("Status: graded. Score")
    assert "rnn_backward: " in results["output"] and "all tests passed" in results["output"]
    assert "graded My rnn (2).ipynb (expected rnn.ipynb)" in results["output"]
    assert {t["visibility"] for t in results["tests"]} == {"visible"}  # the course default
    # The stored reference is the grader's alone: where the container refuses the sandbox
    # its namespaces, the student's code runs as another uid in this file system.
    data = tmp_path / "source" / "kit" / "data"
    assert [p for p in [data, *data.rglob("*")] if p.stat().st_mode & 0o077] == []


def test_a_catalog_mistake_loses_points_in_its_function_only_and_gets_its_hint(
        bundle, release, tmp_path):
    mutant = next(m for m in catalog("rnn") if m.key == "rnn_step_backward/no_tanh_grad")
    notebook = with_answers(solution_submission(release, "rnn"),
                            {mutant.function: mutant_source("rnn", mutant)})
    results = run_autograder(bundle, tmp_path, {"rnn.ipynb": _notebook(notebook)})
    check_schema(results)
    by_function = {t.name: t.function for t in suite.tests_for("rnn")}
    lost = {name for name, score in _scores(results).items()
            if score < next(t.points for t in suite.tests_for("rnn") if t.name == name)}
    assert lost and {by_function[name] for name in lost} == {mutant.function}
    assert mutant.hint in results["output"]  # named in the summary a student reads first
    assert f"{mutant.function}: " in results["output"]


@pytest.mark.parametrize("attack", ["read_source_notebook", "import_reference"])
def test_a_hostile_submission_gets_what_its_honest_part_deserves(
        bundle, release, tmp_path, attack):
    found = next(a for a in corpus.attacks() if a.name == attack)
    results = run_autograder(bundle, tmp_path,
                             {"rnn.ipynb": _notebook(corpus.submission(found, release))})
    check_schema(results)
    assert _scores(results) == corpus.expected_scores(found, suite.tests_for("rnn"))
    assert results["output"].startswith("Status: graded.")


def test_a_hanging_function_is_named_and_everything_else_graded(bundle, release, tmp_path):
    found = next(a for a in corpus.attacks() if a.name == "loop_call")
    results = run_autograder(bundle, tmp_path,
                             {"rnn.ipynb": _notebook(corpus.submission(found, release))})
    check_schema(results)
    assert _scores(results) == corpus.expected_scores(found, suite.tests_for("rnn"))
    assert results["output"].startswith("Status: timeout.")
    assert ("Stopped: rnn_step_forward did not finish in time" in results["output"])
    # (a step budget of 3 s: the hang costs its own step, not the submission's budget)
    assert results["execution_time"] < 6 * TIMEOUT + 5


def test_no_notebook_a_broken_bundle_or_no_python_still_give_valid_results(
        bundle, tmp_path):
    empty = run_autograder(bundle, tmp_path / "empty", {"answers.py": b"print(1)\n"})
    check_schema(empty)
    assert empty["score"] == 0 and "missing notebook" in empty["output"]
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if not item.filename.startswith("kit/data/"):
                target.writestr(item, source.read(item))
    results = run_autograder(broken, tmp_path / "broken", {"rnn.ipynb": b"{}"})
    check_schema(results)
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("The autograder could not grade this submission: "
                                        "FileNotFoundError")
    assert "\n" not in results["output"]
    nopython = run_autograder(bundle, tmp_path / "nopython", {"rnn.ipynb": b"{}"},
                              python=str(tmp_path / "no-such-python"))
    check_schema(nopython)
    assert nopython["score"] == 0 and "could not start" in nopython["output"]


def test_setup_sh_is_valid_bash_and_installs_what_the_grader_needs(bundle):
    with zipfile.ZipFile(bundle) as archive:
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
        requirements = archive.read("requirements.txt").decode().split()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    for name, script in (("setup.sh", setup), ("run_autograder", run)):
        checked = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert checked.returncode == 0, (name, checked.stderr)
        assert script.startswith("#!/usr/bin/env bash\n") and modes[name] & 0o111
    assert "apt-get install" in setup and "libseccomp2" in setup
    assert "pip install -q -r \"$SOURCE/requirements.txt\"" in setup
    assert ".pth" in setup and "$SOURCE/kit" in setup
    assert 'chmod -R go-rwx "$SOURCE/kit/data"' in setup
    pinned = {line.split("==")[0] for line in requirements}
    assert all("==" in line for line in requirements)
    assert {"numpy", "matplotlib", "ipython", "pyseccomp", "tqdm"} <= pinned


def test_a_runtime_package_missing_where_the_bundle_is_built_is_an_error():
    """Else requirements.txt would lack it and only setup.sh's import check, on
    Gradescope, would say so."""
    assert "numpy" in {line.split("==")[0] for line in requirements(("numpy",))}
    with pytest.raises(SystemExit, match="kit-no-such-package is not installed"):
        requirements(("numpy", "kit-no-such-package"))


def test_results_are_not_written_through_a_planted_link(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("kept")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "results.json.partial").symlink_to(target)
    write_results(tmp_path / "results" / "results.json", {"score": 1.0})
    assert target.read_text() == "kept"
    assert json.loads((tmp_path / "results" / "results.json").read_text()) == {"score": 1.0}


def test_the_bundle_ships_no_solution_beyond_the_retry_helpers(bundle, release):
    """No source notebook, no mistake catalog, no other assignment's cases; of the
    solution only the functions a retry's oracle runs (in the stored data). (Lines the
    release shows students, such as signatures, do not count.)"""
    public = json.dumps(release)
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in names
                         if not n.endswith(".gz"))
        data = gzip.decompress(archive.read("kit/data/rnn.pkl.gz"))
    assert not [n for n in names if n.endswith(".ipynb")]
    assert "kit/autograder/mutants/__init__.py" in names
    assert not [n for n in names if n.startswith("kit/autograder/mutants/") and
                not n.endswith("__init__.py")]
    assert not [n for n in names if n.startswith("kit/autograder/verify/")]
    assert "kit/autograder/cases/rnn.py" in names and "kit/autograder/cases/lstm.py" not in names
    helpers = helper_sources("rnn")
    for function, source in solution_sources("rnn").items():
        body = [line.strip() for line in source.splitlines()
                if len(line.strip()) > 30 and not line.strip().startswith("#")
                and json.dumps(line.strip())[1:-1] not in public]
        assert body, function
        for line in body:
            assert line not in text, (function, line)
            if function not in helpers:
                assert line.encode() not in data, (function, line)
    assert {"rnn_gradient_norms", "clip_grad_norm", "rnn_truncated_bptt"}.isdisjoint(helpers)


def test_the_bundle_has_what_the_worker_imports(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path)
    kit = tmp_path / "kit"
    probe = ("import autograder.grader.worker, autograder.grader.serve, "
             "autograder.grader.confine, course_utils, sys; "
             "print('\\n'.join(m.__file__ for n, m in sys.modules.items() "
             "if n.startswith(('autograder', 'course_utils'))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=kit, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    files = done.stdout.split()
    assert files and all(Path(f).resolve().is_relative_to(kit.resolve()) for f in files)
