"""Run `grade_submission` jobs locally or on a Dask cluster; every job yields a record.

Local: a pool of threads, each driving one sandbox process at a time (the student code
runs in those processes; the threads only send cases and compare small arrays).
Dask: the same pure jobs as tasks; each Dask worker process starts its own pre-warmed
sandbox worker the first time it grades.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from .job import Job, Record, grade_submission_safely
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
        for future in dask_completed(futures):
            yield future.result()


def run(jobs: list[Job], workers: int | None = None, scheduler: str | None = None
        ) -> Iterator[Record]:
    if scheduler:
        return dask(jobs, scheduler)
    return local(jobs, workers)
