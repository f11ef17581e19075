"""The kit's grader: zip safety, ids, untrusted replies, CLI contract, agreement with
stock nbgrader, the gradebook and the Dask executor."""

from __future__ import annotations

import csv
import json
import stat
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder.__main__ import main as cli
from autograder.course import Course, solution_submission, with_answers
from autograder.grader import format_table, grade
from autograder.grader.batch import release_notebook
from autograder.grader.collect import safe_id
from autograder.grader.protocol import ProtocolError
from autograder.grader.sandbox import decode_arrays
from autograder.grader.tamper import compare, parse
from autograder.grader.zipsafe import ZipLimits, extract

CACHE = Path(tempfile.gettempdir()) / "kit-grader-test-cache"
STUB = "def {0}(*args, **kwargs):\n    raise NotImplementedError()\n"
WRONG_CLIP = ("import numpy as np\n\ndef clip_grad_norm(grads, max_norm):\n"
              "    return {k: v.copy() for k, v in grads.items()}, 1.0\n")


@pytest.fixture(scope="module")
def release():
    return release_notebook("rnn", CACHE)


def _submissions(release) -> dict[str, dict]:
    good = solution_submission(release, "rnn")
    return {"alice": good,
            "bob": with_answers(good, {"rnn_step_forward": STUB.format("rnn_step_forward")}),
            "carol": with_answers(good, {"clip_grad_norm": WRONG_CLIP,
                                         "rnn_backward": STUB.format("rnn_backward")})}


def _write(folder: Path, notebooks: dict[str, dict]) -> Path:
    for student, notebook in notebooks.items():
        (folder / student / "rnn").mkdir(parents=True)
        (folder / student / "rnn" / "rnn.ipynb").write_text(json.dumps(notebook))
    return folder


# ------------------------------------------------------------------ untrusted input handling

def _zip(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def test_zip_refuses_traversal_absolute_symlink_and_bombs(tmp_path):
    archive = _zip(tmp_path / "export.zip", {
        "alice/rnn.ipynb": b"{}", "../escape.txt": b"x", "/abs.txt": b"x",
        "bob/../../escape2.txt": b"x", "carol/rnn.ipynb": b"\0" * (20 << 20)},
        links=("dave/rnn.ipynb",))
    target = tmp_path / "out"
    target.mkdir()
    result = extract(archive, target, ZipLimits(max_ratio=100))
    assert (target / "alice" / "rnn.ipynb").exists()
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "escape2.txt").exists()
    assert not (target / "carol" / "rnn.ipynb").exists()
    assert not (target / "dave" / "rnn.ipynb").exists()
    reasons = dict(result.refused)
    assert reasons["carol/rnn.ipynb"].startswith("zip bomb")
    assert reasons["dave/rnn.ipynb"] == "symlink in archive"
    assert reasons["../escape.txt"] == reasons["/abs.txt"] == "unsafe path in archive"


def test_safe_ids_are_file_names_and_distinct():
    ids = ["alice", "Zoë", "a b", "..", "a/b", "=1+1", "a..b", "a_b"]
    safe = [safe_id(i) for i in ids]
    assert safe[0] == "alice" and len(set(safe)) == len(ids)
    for s in safe:
        assert "/" not in s and s not in ("..", ".") and s.isascii() and " " not in s


def test_worker_replies_refuse_objects_and_inconsistent_sizes():
    good = decode_arrays([["a", "<f8", [2]]], np.array([1.0, 2.0]).tobytes())
    assert good["a"].tolist() == [1.0, 2.0]
    for specs, blob in ([["a", "|O", [1]]], b"\0" * 8), ([["a", "<f8", [3]]], b"\0" * 16), \
            ([["a", "<f8", [1]]], b"\0" * 16), ([["a", "V8", [1]]], b"\0" * 8), \
            ("junk", b""), ([["a", "<U1", [1]]], b"\0" * 4):
        with pytest.raises(ProtocolError):
            decode_arrays(specs, blob)


def test_tampering_findings(release):
    good = solution_submission(release, "rnn")
    assert compare(good, release) == []
    assert parse(b"{nope")[1] == "not valid JSON"
    assert parse(json.dumps(good | {"nbformat": 3}).encode())[1] == "nbformat '3', expected 4"
    edited = json.loads(json.dumps(good))
    for cell in edited["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "setup":
            cell["source"] = "import os"
    assert compare(edited, release) == ["edited locked cell setup"]


# ------------------------------------------------------------------------ the CLI contract

def test_cli_grades_a_zip_export_and_skips_unchanged_submissions(tmp_path, release, capsys):
    folder = _write(tmp_path / "export", _submissions(release))
    (folder / "erin").mkdir()
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.rglob("*"):
            zf.write(path, Path("export") / path.relative_to(folder))
    out = tmp_path / "out"
    args = ["grade", "rnn", str(archive), "--out", str(out), "--workers", "2",
            "--timeout", "10", "--memory", "256", "--quiet"]
    assert cli(args) == 0
    with open(out / "grades.csv", encoding="utf-8") as source:
        rows = {row["student_id"]: row for row in csv.DictReader(source)}
    assert set(rows) == {"alice", "bob", "carol", "erin"}
    assert rows["alice"]["score"] == rows["alice"]["max_score"]
    assert rows["erin"]["status"] == "missing notebook" and rows["erin"]["score"] == "0"
    assert float(rows["bob"]["test_rnn_step_forward_next_h"]) == 0
    assert float(rows["bob"]["test_rnn_forward_h"]) > 0  # credited through the fallback
    result = json.loads((out / "results" / "bob.json").read_text())
    assert {"score", "execution_time", "output", "tests"} <= set(result)
    assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(
        result["tests"][0])
    assert "alice" in capsys.readouterr().out
    assert cli(args) == 0
    assert "4 unchanged" in capsys.readouterr().out
    assert cli(args + ["--force"]) == 0
    assert "unchanged" not in capsys.readouterr().out


def test_the_release_is_generated_once_per_version_not_per_output_folder(tmp_path,
                                                                          monkeypatch):
    from autograder.grader import batch

    made = []

    def generate(course, assignment):  # stands in for stock nbgrader (about 7 s)
        made.append(assignment)
        path = course.root / f"{assignment}.ipynb"
        path.write_text(json.dumps({"cells": [], "made": len(made)}), encoding="utf-8")
        return path

    monkeypatch.setattr(batch.Course, "generate", generate)
    monkeypatch.setattr(batch, "RELEASE_CACHE", tmp_path / "course-build")
    first = batch.release_notebook("rnn", tmp_path / "out1" / ".kit")
    assert batch.release_notebook("rnn", tmp_path / "out2" / ".kit") == first
    assert made == ["rnn"] and first["made"] == 1
    monkeypatch.setattr(batch, "_release_key", lambda assignment: "another-version")
    assert batch.release_notebook("rnn", tmp_path / "out2" / ".kit")["made"] == 2
    kept = [p.name for p in (tmp_path / "course-build").iterdir()]
    assert len(kept) == 2 and not [name for name in kept if not name.startswith("release-rnn-")]


# ------------------------------------------------------- retries in the first sandbox

CHATTY_STEP = ("def rnn_step_forward(x, prev_h, Wx, Wh, b):\n"
               "    print('FIRST-ATTEMPT')\n"
               "    raise NotImplementedError()\n")
# rnn_forward prints after a step only when the step worked: here only in a retry, where the
# step is the reference's (answered by the grader).
LEAKY_LOOP = ("import numpy as np\n\n"
              "def rnn_forward(x, h0, Wx, Wh, b):\n"
              "    h, prev, caches = [], h0, []\n"
              "    for t in range(x.shape[1]):\n"
              "        prev, cache = rnn_step_forward(x[:, t], prev, Wx, Wh, b)\n"
              "        print('RETRY-SAW', float(np.sum(prev)))\n"
              "        h.append(prev)\n"
              "        caches.append(cache)\n"
              "    return np.stack(h, axis=1), caches\n")
DYING_BPTT = ("import os\n\n"
              "def rnn_truncated_bptt(*args, **kwargs):\n"
              "    os._exit(3)\n")


def _graded_counting_sandboxes(release, answers, monkeypatch):
    from autograder.grader import sandbox
    from autograder.grader.job import Job, grade_submission
    from autograder.grader.zygote import Limits

    opened = []
    real_init = sandbox.Session.__init__

    def counted(self, *args, **kwargs):
        opened.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(sandbox.Session, "__init__", counted)
    notebook = with_answers(solution_submission(release, "rnn"), answers)
    job = Job("dora", "dora", "rnn", release, Limits(timeout=10),
              json.dumps(notebook).encode())
    record = grade_submission(job)
    return record, len(opened), {t.name: t.score for t in record.tests}


def test_retries_run_in_the_first_sandbox_and_what_they_print_is_not_shown(
        release, monkeypatch):
    record, sandboxes, scores = _graded_counting_sandboxes(
        release, {"rnn_step_forward": CHATTY_STEP, "rnn_forward": LEAKY_LOOP}, monkeypatch)
    assert sandboxes == 1
    assert scores["test_rnn_step_forward_next_h"] == 0
    assert scores["test_rnn_forward_h"] > 0  # the retry ran, with the reference's step
    assert "FIRST-ATTEMPT" in record.output
    assert "RETRY-SAW" not in record.output  # it printed reference values: never shown


def test_a_retry_gets_a_fresh_sandbox_when_the_first_one_died(release, monkeypatch):
    record, sandboxes, scores = _graded_counting_sandboxes(
        release, {"rnn_step_forward": CHATTY_STEP, "rnn_truncated_bptt": DYING_BPTT},
        monkeypatch)
    assert sandboxes == 2
    assert scores["test_rnn_forward_h"] > 0
    assert scores["test_rnn_truncated_bptt_h"] == 0
    assert record.status == "crashed"
    assert any("killed" in t.message or "crash" in t.message for t in record.tests
               if t.function == "rnn_truncated_bptt")


def test_a_grader_error_in_a_retry_fails_that_retry_and_shows_nothing(release, monkeypatch):
    """Whatever makes the grader raise while a retry is judged (an attacker forged a reply
    that did, only when a reference answer had a chosen property) must not reach the
    status or the notes: the retry fails, nothing else."""
    from autograder.grader import runner as runner_module

    def broken(self, case):
        raise ValueError("array is too big")

    monkeypatch.setattr(runner_module.Runner, "_oracle", broken)
    record, sandboxes, scores = _graded_counting_sandboxes(
        release, {"rnn_step_forward": CHATTY_STEP}, monkeypatch)
    assert record.status == "graded" and sandboxes == 1
    assert scores["test_rnn_forward_h"] == 0  # its retry failed
    assert scores["test_clip_grad_norm_clipped_Wx"] == 1  # first attempts as before
    assert not [note for note in record.notes if "error" in note.lower()]


def test_a_cell_that_hangs_only_in_a_retry_sandbox_leaves_no_note(release):
    """A retry sandbox may time its own hang from reference answers: what happens while it
    loads is not shown (an attacker session turned the note into a channel)."""
    from autograder.grader.runner import Runner
    from autograder.grader.tamper import inspect
    from autograder.grader.zygote import Limits

    hang = "import time\ntime.sleep(30)\n" + STUB.format("rnn_step_backward")
    notebook = with_answers(solution_submission(release, "rnn"), {"rnn_step_backward": hang})
    answers = inspect(json.dumps(notebook).encode(), release).answers
    runner = Runner("rnn", Limits(timeout=1), release, answers)
    runner._open(("rnn_step_forward",)).close()
    assert runner.excluded == {} and runner.kinds == set()
    assert runner.left_out == {"rnn_step_backward"}
    first = Runner("rnn", Limits(timeout=1), release, answers)
    first._open(()).close()
    assert "rnn_step_backward" in first.excluded and first.kinds == {"timeout"}


# ------------------------------------------------- the same verdicts as stock nbgrader

def test_same_scores_as_stock_nbgrader_and_gradebook_export(tmp_path, release, monkeypatch):
    monkeypatch.setenv("KIT_GRADING", "1")  # the labs at their grading size
    course = Course(tmp_path / "course")
    course.generate("rnn")
    notebooks = _submissions(release)
    for student, notebook in notebooks.items():
        course.submit("rnn", student, notebook)
    stock = course.autograde("rnn")
    records = grade("rnn", _write(tmp_path / "subs", notebooks), tmp_path / "out", workers=2,
                    timeout=10, memory_mb=256, progress=False, log=lambda *a: None)
    assert "alice" in format_table(records)
    for record in records:
        mine = {t.name: t.score for t in record.tests}
        theirs = {name: score for name, score in stock[record.student_id].items()
                  if name in mine}
        assert theirs == mine, record.student_id
    assert {r.student_id: r.score for r in records}["carol"] < records[0].max_score

    # The same scores, written into a fresh course's gradebook by the kit's grader.
    fresh = Course(tmp_path / "fresh")
    fresh.generate("rnn")
    grade("rnn", tmp_path / "subs", tmp_path / "out2", workers=2, timeout=10, memory_mb=256,
          progress=False, gradebook=str(fresh.root), log=lambda *a: None)
    written = fresh.scores("rnn")
    for record in records:
        for test in record.tests:
            assert written[record.safe_id][test.name] == test.score
    from nbgrader.api import Gradebook

    with Gradebook(fresh.db_url) as gradebook:
        submission = gradebook.find_submission("rnn", "alice")
        manual = [g for nb in submission.notebooks for g in nb.grades if g.auto_score is None]
        assert manual and all(g.needs_manual_grade for g in manual)  # written answers
    assert (fresh.root / "autograded" / "alice" / "rnn" / "rnn.ipynb").exists()
    fresh.nbgrader("export", "--to", str(tmp_path / "grades.csv"))
    exported = (tmp_path / "grades.csv").read_text()
    assert "alice" in exported and "carol" in exported


# ----------------------------------------------------------------------------------- Dask

def test_dask_cluster_gives_the_same_records(tmp_path, release):
    distributed = pytest.importorskip("dask.distributed")
    notebooks = _submissions(release)
    folder = _write(tmp_path / "subs", notebooks)
    local = grade("rnn", folder, tmp_path / "local", workers=2, timeout=10, memory_mb=256,
                  progress=False, log=lambda *a: None)
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        remote = grade("rnn", folder, tmp_path / "dask", timeout=10, memory_mb=256,
                       scheduler=cluster.scheduler_address, progress=False,
                       log=lambda *a: None)
    assert [(r.student_id, r.score, r.status) for r in remote] == [
        (r.student_id, r.score, r.status) for r in local]
