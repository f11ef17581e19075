"""The `--scheduler` path on a real cluster: `dask scheduler` and two `dask worker`
processes started from the command line, as an instructor would on several machines, and
one worker killed in the middle of the batch. Every student still gets exactly one row,
graded as on one machine, and no sandbox of the killed worker outlives it.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course import solution_submission, with_answers
from autograder.grader.batch import release_notebook

pytest.importorskip("dask.distributed")

BIN = Path(sys.executable).parent
STUB = "def {0}(*args, **kwargs):\n    raise NotImplementedError()\n"
STUDENTS = 16


def _start(*command: str, log: Path) -> subprocess.Popen:
    # A session of its own: killing the worker kills its nanny, its process and their
    # children (the sandboxes) together, as a machine that goes down would.
    return subprocess.Popen([str(BIN / "dask"), *command], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (session, command line) of every process now."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(entry.name)] = (os.getsid(int(entry.name)), command)
        except OSError:
            continue
    return found


def _left_behind(session: int, graders: set[int]) -> list[str]:
    """Processes of a killed worker's session, or sandboxes its grader started (their
    scratch folder is named after the grading process: kit-grader-<pid>-...)."""
    return [command for pid, (sid, command) in _processes().items()
            if sid == session or any(f"kit-grader-{g}-" in command for g in graders)]


@pytest.fixture
def cluster(tmp_path):
    address_file = tmp_path / "scheduler.json"
    processes = [_start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                        "--scheduler-file", str(address_file), log=tmp_path / "scheduler.log")]
    try:
        _wait_for(address_file.exists, 60, "the scheduler")
        for n in range(2):
            processes.append(_start("worker", "--scheduler-file", str(address_file),
                                    "--nthreads", "1", "--no-dashboard",
                                    log=tmp_path / f"worker{n}.log"))
        from dask.distributed import Client
        address = json.loads(address_file.read_text())["address"]
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, processes[1:]
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait()


def test_a_worker_killed_mid_batch_costs_nobody_a_row(tmp_path, cluster):
    address, workers = cluster
    release = release_notebook("rnn", tmp_path / "cache")
    good = solution_submission(release, "rnn")
    variants = [good, with_answers(good, {"rnn_backward": STUB.format("rnn_backward")})]
    folder = tmp_path / "subs"
    for i in range(STUDENTS):
        (folder / f"s{i:02d}").mkdir(parents=True)
        (folder / f"s{i:02d}" / "rnn.ipynb").write_text(json.dumps(variants[i % 2]))

    out = tmp_path / "out"
    grading = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", "rnn", str(folder), "--out", str(out),
         "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    records = out / ".kit" / "records"
    _wait_for(lambda: records.is_dir() and any(records.iterdir()), 240, "a first record")
    victim = workers[0]
    graders = {pid for pid, (sid, _) in _processes().items() if sid == victim.pid}
    os.killpg(victim.pid, signal.SIGKILL)   # the worker, its nanny and its sandboxes
    output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output.decode(errors="replace")[-2000:]

    with (out / "grades.csv").open(newline="", encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    assert sorted(r["student_id"] for r in rows) == [f"s{i:02d}" for i in range(STUDENTS)]
    full = {r["student_id"]: float(r["score"]) for r in rows}
    assert all(r["status"] == "graded" for r in rows), [r["status"] for r in rows]
    assert len({full[f"s{i:02d}"] for i in range(0, STUDENTS, 2)}) == 1   # same work,
    assert len({full[f"s{i:02d}"] for i in range(1, STUDENTS, 2)}) == 1   # same score
    assert full["s00"] > full["s01"] > 0
    victim.wait(timeout=30)
    _wait_for(lambda: not _left_behind(victim.pid, graders), 30,
              "the killed worker's processes and sandboxes to end")
