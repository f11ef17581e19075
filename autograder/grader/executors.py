"""Run `grade_submission` jobs locally or on a Dask cluster; every job yields a record.

Local: a pool of grading processes, forked from the grader once it has computed the
expected values (they inherit them, and the batch's release notebook), before it starts
any thread. Each grading process grades one submission at a time and starts its own
pre-warmed sandbox worker (`zygote`) on its first job: the grader's own work (decoding
replies, comparing, deciding) runs in parallel instead of under one GIL. A grading process
that dies (the OOM killer, a signal) costs nobody a row: the jobs it had not finished are
graded again in a fresh pool, once; a job whose pool breaks again yields a grader-error
record, graded again by the next run. A grader embedded in a program that already runs
threads (forking it would copy their locks in whatever state they are) grades in threads
of its own process instead, as before.

Dask: the same pure jobs as tasks; each Dask worker process starts its own pre-warmed
sandbox worker the first time it grades. A job whose task fails on the cluster (its
workers died) still yields its record, with the grader-error status, and is graded again
by the next run (`batch._cached` keeps no grader error).
"""

from __future__ import annotations

import ctypes
import dataclasses
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from . import oracle
from . import zygote as zygotes
from .job import Job, Record, grade_submission_safely, lost
from .zygote import zygote

PR_SET_PDEATHSIG = 1

# In a grading process: the batch's release notebooks, by the parent's id() of each (the
# jobs arrive without theirs; every job of a batch shares one release object, so that
# `tamper._wanted` reads it once per process).
_RELEASES: dict[int, dict[str, Any]] = {}


def _close_helpers() -> None:
    """A grading process's sandbox worker and oracle processes, closed as it leaves."""
    for worker in list(zygotes._zygotes.values()):
        worker.close()
    zygotes._zygotes.clear()
    oracle._close_all()


def _interrupted(signum: int, frame: Any) -> None:
    """Ctrl-C (it reaches the whole foreground group) or the pool's end when it breaks or
    is interrupted: the grading process leaves at once, its sandbox worker killed (even one
    still starting) and its folder removed."""
    me = os.getpid()
    for task in Path(f"/proc/{me}/task").glob("*/children"):
        for child in task.read_text().split():
            try:
                os.kill(int(child), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    for folder in Path(tempfile.gettempdir()).glob(f"kit-grader-{me}-*"):
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(128 + signum)


def _start_grading_process(releases: dict[int, dict[str, Any]], parent: int) -> None:
    """The initializer of a grading process (forked: `releases` is inherited, not pickled)."""
    try:  # die with the grader, whatever kills it (its thread that forked: the main one)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the grader died before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, _interrupted)
    signal.signal(signal.SIGTERM, _interrupted)  # a broken or interrupted pool's end
    # None of the parent's sandbox workers and oracle processes (it starts none before
    # forking, but it may have graded in threads before): this process starts its own.
    zygotes._zygotes = {}
    zygotes._zygote_lock = threading.Lock()
    oracle._local = threading.local()
    oracle._started = []
    _RELEASES.clear()
    _RELEASES.update(releases)
    # A pool's process leaves with os._exit (no atexit): close the worker (removing its
    # folder) and the oracle processes when the pool shuts the process down.
    multiprocessing.util.Finalize(None, _close_helpers, exitpriority=10)


def _grade_here(release: int, job: Job) -> Record:
    """In a grading process: `job` (sent without its release) graded."""
    job.release = _RELEASES[release]
    return grade_submission_safely(job)


def _launch(jobs: list[Job], processes: int
            ) -> tuple[ProcessPoolExecutor, dict[Future[Record], Job]]:
    """Fork `processes` grading processes (at the first submit, from this thread) and hand
    them every job."""
    releases = {id(job.release): job.release for job in jobs}
    pool = ProcessPoolExecutor(max_workers=min(processes, len(jobs)),
                               mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_grading_process,
                               initargs=(releases, os.getpid()))
    futures = {pool.submit(_grade_here, id(job.release), dataclasses.replace(job, release={})):
               job for job in jobs}
    return pool, futures


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: nothing more is started, its processes leave (their sandbox workers
    die with them) and are reaped."""
    children = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for child in children:
        child.terminate()  # `_interrupted`: its worker killed, its folder removed
    for child in children:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join()


def _orphans_killed(children: list[int]) -> None:
    """Kill what a killed grading process may have left: a sandbox worker killed with it
    dies by itself (its parent-death signal), except one so young it had not asked for
    that signal yet; it would finish starting (writing into its folder) before it noticed.
    Then remove the folders of the processes that are gone."""
    names = tuple(f"kit-grader-{pid}-".encode() for pid in children)
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any(n in (entry / "cmdline").read_bytes() for n in names):
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:
            continue
    zygotes._remove_stale_folders()


def _collected(pool: ProcessPoolExecutor, futures: dict[Future[Record], Job],
               broken: list[Job] | None) -> Iterator[Record]:
    """The records of `futures` as they come. With `broken` (the first pool), the jobs of a
    pool that broke are appended to it; else (the second pool) they are lost."""
    children = list(pool._processes or {})
    done = False
    try:
        for future in as_completed(futures):
            job = futures[future]
            try:
                record = future.result()
            except BrokenProcessPool as err:
                if broken is not None:
                    broken.append(job)
                    continue
                record = lost(job, f"its grading process died twice ({err})")
            except Exception as err:  # noqa: BLE001 - e.g. a record that could not be sent
                record = lost(job, f"{type(err).__name__}: {err}")
            yield record
        done = True
    finally:
        if done:
            pool.shutdown(wait=True)
        else:  # interrupted, or the consumer stopped early
            _stop(pool)
        if not done or getattr(pool, "_broken", False):
            _orphans_killed(children)


def _regraded(pool: ProcessPoolExecutor, futures: dict[Future[Record], Job],
              processes: int) -> Iterator[Record]:
    broken: list[Job] = []
    yield from _collected(pool, futures, broken)
    if broken:
        # A grading process died (its jobs are not the students' fault): once more, in a
        # fresh pool.
        again, futures = _launch(broken, processes)
        yield from _collected(again, futures, None)


def _in_threads(jobs: list[Job], workers: int) -> Iterator[Record]:
    # Started from this thread: the worker dies with the thread that started it.
    zygote(jobs[0].assignment)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as pool:
        futures = [pool.submit(grade_submission_safely, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def local(jobs: list[Job], workers: int | None = None) -> Iterator[Record]:
    """Grade `jobs` in `workers` grading processes (default: one per core).

    Not a generator: the processes are forked now, before the caller starts any thread
    (a progress bar's monitor)."""
    workers = max(1, workers or os.cpu_count() or 1)
    if not jobs:
        return iter(())
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _in_threads(jobs, workers)
    pool, futures = _launch(jobs, workers)
    return _regraded(pool, futures, workers)


def dask(jobs: list[Job], scheduler: str) -> Iterator[Record]:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise SystemExit("--scheduler needs dask.distributed: pip install '.[cluster]'") from None
    with Client(scheduler) as client:
        futures = client.map(grade_submission_safely, jobs, pure=False)
        job_of = {future.key: job for future, job in zip(futures, jobs)}
        for future in dask_completed(futures):
            try:
                yield future.result()
            except Exception as err:  # noqa: BLE001 - e.g. KilledWorker: still one row
                # Dask moves a lost worker's tasks to the others by itself; this is a task
                # that took down workers repeatedly, or a cluster that went away.
                yield lost(job_of[future.key], f"{type(err).__name__}: {err}")


def run(jobs: list[Job], workers: int | None = None, scheduler: str | None = None
        ) -> Iterator[Record]:
    if scheduler:
        return dask(jobs, scheduler)
    return local(jobs, workers)
