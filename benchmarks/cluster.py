"""A class of synthetic `rnn` submissions graded end to end: one machine, then a Dask cluster.

    python benchmarks/cluster.py [--n 1000] [--workers 1,2] [--hostile-every 10]

The class mixes correct submissions (half), one-mistake ones (a catalog mistake in a
different function each) and, one in `--hostile-every` (0: none), hostile ones from
tests/attacks/ (crashes, a fork bomb, memory and output floods, huge and forged replies;
some cost their whole step timeout, as they would in a real class).
Every configuration runs `python -m autograder grade` as an instructor would, timed
from the command's start to its end (Python start-up, the release, the sandbox workers'
start-up and grades.csv included), on the same folder with `--force`:

- one machine: the kit's local executor (`--workers`, default: the cores);
- a cluster started from the command line (`dask scheduler`, then K `dask worker`
  processes of one thread each), for every K in `--workers`;
- a re-run on one machine after 10 submissions changed (without `--force`): only those
  are graded again.

It prints seconds per submission and the speed-up of each added worker process, and checks
that every configuration gives every student the same score.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "attacks")]

from autograder.course import solution_submission, with_answers  # noqa: E402
from autograder.grader.batch import release_notebook  # noqa: E402
from autograder.mutants import catalog  # noqa: E402

HOSTILE = ("always_equal_object", "builtins_patch", "fork_bomb", "memory_bomb",
           "stdout_flood", "garbage_reply", "huge_replies", "import_reference",
           "os_exit_call", "zeros_everywhere")


def write_class(folder: Path, n: int, release: dict, hostile_every: int) -> None:
    import corpus

    good = solution_submission(release, "rnn")
    mistakes = catalog("rnn")
    hostile_dir = folder.parent / "hostile"
    corpus.build(hostile_dir, release, only=list(HOSTILE))
    hostile = sorted(p for p in hostile_dir.rglob("*.ipynb"))
    for i in range(n):
        student = folder / f"student{i:04d}"
        student.mkdir(parents=True)
        if hostile_every and i % hostile_every == hostile_every - 1 and hostile:
            shutil.copy(hostile[(i // hostile_every) % len(hostile)], student / "rnn.ipynb")
            continue
        if i % 2:
            mistake = mistakes[(i // 2) % len(mistakes)]
            notebook = with_answers(good, {mistake.function: mistake.source()})
        else:
            notebook = good
        (student / "rnn.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


def grade(folder: Path, out: Path, *extra: str, force: bool = True
          ) -> tuple[float, dict[str, str]]:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", "rnn", str(folder),
                    "--out", str(out), *(["--force"] if force else []), *extra], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    with (out / "grades.csv").open(newline="", encoding="utf-8") as table:
        scores = {row["student_id"]: row["score"] for row in csv.DictReader(table)}
    return seconds, scores


def dask(*args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args],
                            stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def on_cluster(folder: Path, out: Path, workers: int, root: Path) -> tuple[float, dict]:
    address_file = root / f"scheduler-{workers}.json"
    processes = [dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                      "--scheduler-file", str(address_file), log=root / "scheduler.log")]
    try:
        while not address_file.exists():
            time.sleep(0.1)
        processes += [dask("worker", "--scheduler-file", str(address_file), "--nthreads", "1",
                           "--no-dashboard", log=root / f"worker{k}.log")
                      for k in range(workers)]
        from dask.distributed import Client
        address = json.loads(address_file.read_text())["address"]
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        return grade(folder, out, "--scheduler", address)
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", default="1,2",
                        help="cluster sizes to run, in dask worker processes")
    parser.add_argument("--local-workers", type=int, default=os.cpu_count())
    parser.add_argument("--hostile-every", type=int, default=10)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kit-cluster-"))
    try:
        release = release_notebook("rnn", root / "cache")
        folder = root / "class"
        write_class(folder, args.n, release, args.hostile_every)
        hostile = f"1 in {args.hostile_every} hostile" if args.hostile_every else "none hostile"
        print(f"{args.n} rnn submissions (about half correct, the rest with one catalog "
              f"mistake; {hostile}), {os.cpu_count()} cores; end to end, start-up included")
        local = ("--workers", str(args.local_workers))
        seconds, reference = grade(folder, root / "local", *local)
        print(f"one machine, {args.local_workers} grading processes: {seconds:7.1f} s  "
              f"{seconds / args.n:.3f} s/submission")
        changed = sorted(folder.iterdir())[:20:2]  # 10 correct ones get a mistake
        mistake = catalog("rnn")[0]
        originals = {student: (student / "rnn.ipynb").read_bytes() for student in changed}
        for student in changed:
            notebook = json.loads(originals[student])
            (student / "rnn.ipynb").write_text(json.dumps(with_answers(
                notebook, {mistake.function: mistake.source()})), encoding="utf-8")
        seconds, regraded = grade(folder, root / "local", *local, force=False)
        moved = sorted(s for s in regraded if regraded[s] != reference[s])
        print(f"re-run after {len(changed)} submissions changed: {seconds:7.1f} s "
              f"({len(moved)} scores changed)")
        for student, data in originals.items():  # back as they were, for the cluster runs
            (student / "rnn.ipynb").write_bytes(data)
        previous = None
        for workers in [int(k) for k in args.workers.split(",") if k]:
            seconds, scores = on_cluster(folder, root / f"dask{workers}", workers, root)
            speedup = "" if previous is None else f"  speed-up over {previous[0]}: " \
                f"{previous[1] / seconds:.2f}x"
            print(f"dask, {workers} worker process(es):    {seconds:7.1f} s  "
                  f"{seconds / args.n:.3f} s/submission{speedup}")
            previous = (workers, seconds)
            assert scores == reference, "a cluster run gave another score"
        print("same scores in every configuration: True")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
