"""Run `grade_submission` jobs locally or on a Dask cluster; every job yields a record.

Local: a pool of threads, each driving one sandbox process at a time (the student code
runs in those processes; the threads only send cases and compare small arrays).
Dask: the same pure jobs as tasks; each Dask worker process starts its own pre-warmed
sandbox worker the first time it grades. A job whose task fails on the cluster (its
workers died) still yields its record, with the grader-error status, and is graded again
by the next run (`batch._cached` keeps no grader error).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from .job import Job, Record, grade_submission_safely, lost
from .zygote import zygote


def local(jobs: list[Job], workers: int | None = None) -> Iterator[Record]:
    workers = max(1, workers or os.cpu_count() or 1)
    if jobs:
        # Started from this thread: the worker dies with the thread that started it.
        zygote(jobs[0].assignment)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as pool:
        futures = [pool.submit(grade_submission_safely, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


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
