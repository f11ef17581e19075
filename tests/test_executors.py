"""The local executor's grading processes: a process killed mid-batch costs nobody a row
(its unfinished jobs are graded again in a fresh pool; a job whose pool breaks twice gets a
grader-error row that the next run grades again), Ctrl-C leaves no process and no folder
behind, and a grader embedded in a program with threads grades in threads, alike.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.course import solution_submission, with_answers
from autograder.grader.batch import grade, release_notebook

STUB = "def {0}(*args, **kwargs):\n    raise NotImplementedError()\n"
STUDENTS = 16


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory) -> Path:
    """Even students hand in the solution, odd ones a stubbed `rnn_backward`."""
    root = tmp_path_factory.mktemp("executors")
    release = release_notebook("rnn", root / "cache")
    good = solution_submission(release, "rnn")
    variants = [good, with_answers(good, {"rnn_backward": STUB.format("rnn_backward")})]
    for i in range(STUDENTS):
        (root / "subs" / f"s{i:02d}").mkdir(parents=True)
        (root / "subs" / f"s{i:02d}" / "rnn.ipynb").write_text(json.dumps(variants[i % 2]))
    return root


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (found := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process now."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                found[int(entry.name)] = (parent, command)
        except (OSError, ValueError, IndexError):
            continue
    return found


def _descendants(root: int) -> set[int]:
    table = _processes()
    found, todo = set(), [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _) in table.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                todo.append(pid)
    return found


def _grading_with_worker(grader: int, exclude: set[int]) -> int | None:
    """A grading process (a child of `grader`) whose sandbox worker has forked a sandbox (a
    child that runs no other program): it is in the middle of a job."""
    table = _processes()
    for pid, (ppid, _) in table.items():
        if ppid == grader and pid not in exclude and any(
                parent == pid and f"kit-grader-{pid}-" in command
                and any(grandparent == worker and "autograder.grader.worker" in line
                        for grandparent, line in table.values())
                for worker, (parent, command) in table.items()):
            return pid
    return None


def _alive(pids: set[int]) -> list[str]:
    """Processes among `pids`, or sandbox workers named after one of them (a killed
    process's orphans are reaped by init, which may take a moment)."""
    table = _processes()
    return [table[pid][1] or f"{pid} (exited)" for pid in pids if pid in table] + [
        command for _, command in table.values()
        if any(f"kit-grader-{pid}-" in command for pid in pids)]


def _folders(pids: set[int]) -> list[str]:
    """Sandbox workers' folders named after one of `pids`."""
    return [folder.name for folder in Path(tempfile.gettempdir()).glob("kit-grader-*-*")
            if folder.name.split("-")[2] in {str(pid) for pid in pids}]


def _start(class_folder: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", "rnn", str(class_folder / "subs"),
         "--out", str(out), "--workers", "2", "--quiet", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    assert len(rows) == len({r["student_id"] for r in rows}), "one row per student"
    return {r["student_id"]: r for r in rows}


def _prepared(class_folder: Path, out: Path) -> Path:
    """An output folder holding the class's cached release (no 7 s regeneration)."""
    (out / ".kit").mkdir(parents=True)
    for release in (class_folder / "cache").glob("release-*.ipynb"):
        (out / ".kit" / release.name).write_bytes(release.read_bytes())
    return out


def _kill_one_at_work(grading: subprocess.Popen, exclude: set[int]) -> set[int]:
    """SIGKILL a grading process of `grading` (not in `exclude`) in the middle of a job, as
    the OOM killer would (no chance to clean up); its pid and its descendants'."""
    victim = _wait_for(lambda: _grading_with_worker(grading.pid, exclude), 120,
                       "a grading process at work")
    killed = _descendants(victim) | {victim}
    os.kill(victim, signal.SIGKILL)
    return killed


@pytest.fixture(scope="module")
def normal(class_folder, tmp_path_factory) -> dict[str, float]:
    """The scores of an undisturbed run, in this process (no thread: grading processes)."""
    assert threading.active_count() == 1
    out = _prepared(class_folder, tmp_path_factory.mktemp("normal") / "out")
    before = _descendants(os.getpid())
    records = grade("rnn", class_folder / "subs", out, workers=2, progress=False,
                    log=lambda *_: None)
    assert [r.status for r in records] == ["graded"] * STUDENTS
    scores = {r.student_id: r.score for r in records}
    assert len({scores[f"s{i:02d}"] for i in range(0, STUDENTS, 2)}) == 1
    assert len({scores[f"s{i:02d}"] for i in range(1, STUDENTS, 2)}) == 1
    assert scores["s00"] > scores["s01"] > 0
    assert _descendants(os.getpid()) <= before  # the grading processes are gone
    return scores


def test_a_grading_process_killed_mid_batch_costs_nobody_a_row(class_folder, normal, tmp_path):
    out = _prepared(class_folder, tmp_path / "out")
    grading = _start(class_folder, out)
    killed = _kill_one_at_work(grading, set()) | _descendants(grading.pid)
    output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output.decode(errors="replace")[-2000:]
    rows = _rows(out)
    assert sorted(rows) == sorted(normal)
    assert {s: r["status"] for s, r in rows.items()} == {s: "graded" for s in normal}
    assert {s: float(r["score"]) for s, r in rows.items()} == normal
    # The killed process's worker and sandboxes died with it, its folder was removed, and
    # the grader left no process behind.
    assert not _folders(killed | {grading.pid})
    _wait_for(lambda: not _alive(killed | {grading.pid}), 30, "every process to end")


def test_a_job_whose_pool_breaks_twice_gets_a_grader_error_row(class_folder, normal, tmp_path):
    out = _prepared(class_folder, tmp_path / "out")
    grading = _start(class_folder, out)
    killed = _kill_one_at_work(grading, set())
    # The fresh pool's processes are new children of the grader: kill one of them too.
    killed |= _kill_one_at_work(grading, _descendants(grading.pid))
    killed |= _descendants(grading.pid)
    output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output.decode(errors="replace")[-2000:]
    rows = _rows(out)
    assert sorted(rows) == sorted(normal)
    errors = {s for s, r in rows.items() if r["status"] != "graded"}
    assert errors, "the second pool's unfinished jobs are grader errors"
    assert {rows[s]["status"] for s in errors} == {"grader error"}, rows
    assert all(float(rows[s]["score"]) == normal[s] for s in set(rows) - errors)
    assert not _folders(killed | {grading.pid})
    _wait_for(lambda: not _alive(killed | {grading.pid}), 30, "every process to end")
    # A grader error is not kept: the next run grades exactly those again.
    again = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "rnn", str(class_folder / "subs"),
         "--out", str(out), "--workers", "2", "--quiet"],
        capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    if len(errors) < STUDENTS:
        assert f"{STUDENTS - len(errors)} unchanged submission(s) already graded" in again.stdout
    rows = _rows(out)
    assert {s: float(r["score"]) for s, r in rows.items()} == normal
    assert {r["status"] for r in rows.values()} == {"graded"}


def test_ctrl_c_leaves_no_process_and_no_folder(class_folder, tmp_path):
    out = _prepared(class_folder, tmp_path / "out")
    grading = _start(class_folder, out)
    _wait_for(lambda: _grading_with_worker(grading.pid, set()), 120, "a grading process at work")
    involved = _descendants(grading.pid) | {grading.pid}
    os.killpg(grading.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    grading.communicate(timeout=60)
    assert grading.returncode != 0
    assert not _folders(involved)
    _wait_for(lambda: not _alive(involved), 30, "every process to end")


def test_a_grader_among_threads_grades_in_threads_alike(class_folder, normal, tmp_path):
    """Forking a process that runs threads copies their locks in whatever state they are in:
    with a thread of its caller running, the grader grades in threads of its own."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    me = os.getpid()
    myself = _processes()[me][1]
    forked: list[str] = []
    watching = threading.Event()

    def watch() -> None:  # forked children of this process (sandbox workers are not)
        while not watching.is_set():
            forked.extend(line for parent, line in _processes().values()
                          if parent == me and line == myself)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        out = _prepared(class_folder, tmp_path / "out")
        records = grade("rnn", class_folder / "subs", out, workers=2, progress=False,
                        log=lambda *_: None)
    finally:
        stop.set()
        watching.set()
        other.join()
        watcher.join()
    assert not forked
    assert {r.student_id: r.score for r in records} == normal
