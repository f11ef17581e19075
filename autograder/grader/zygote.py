"""The pre-warmed worker of a grading process, and the limits of the sandboxes it forks.

`zygote(assignment)` starts `worker.py` once per process and assignment, with a scrubbed
environment and a read-only library holding only what a student of that assignment may
import; `Zygote.spawn` asks it for a new sandbox (see worker.py and docs/grader.md).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from ..export import copy_support_files
from ..layout import MEMORY_MB, TIMEOUT


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (see docs/grader.md)."""

    timeout: float = TIMEOUT     # wall clock per step: loading the cells, or one case
    memory_mb: int = MEMORY_MB   # address space on top of the pre-warmed interpreter
    disk_mb: int = 64            # size of the tmpfs working directory
    file_mb: int = 16            # largest file the student may write
    processes: int = 16          # threads of the sandbox (the filter allows no processes)
    output_chars: int = 20_000   # captured stdout+stderr

    @property
    def cpu_seconds(self) -> int:
        return int(self.timeout * 6) + 5


def _scrubbed_env(base: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
            "KIT_GRADING": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(base / "mpl"),
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def _copy_libraries(libdir: Path, assignment: str) -> None:
    """Read-only copies of what a student of `assignment` may import (nothing else)."""
    copy_support_files(assignment, libdir)
    for path in [libdir, *libdir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _remove_stale_folders() -> None:
    """Folders of graders that were killed (SIGKILL leaves no chance to clean up)."""
    for folder in Path(tempfile.gettempdir()).glob("kit-grader-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


class Zygote:
    """The pre-warmed worker process of this grading process (one per process)."""

    def __init__(self, assignment: str) -> None:
        _remove_stale_folders()
        self.base = Path(tempfile.mkdtemp(prefix=f"kit-grader-{os.getpid()}-"))
        os.chmod(self.base, 0o711)  # the sandbox's unprivileged uid must reach lib/
        self.libdir = self.base / "lib"
        self.libdir.mkdir()
        (self.base / "root").mkdir()
        (self.base / "scratch").mkdir()
        (self.base / "mpl").mkdir()
        os.chmod(self.base / "scratch", 0o711)
        _copy_libraries(self.libdir, assignment)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "autograder.grader.worker", str(self.libdir),
             str(theirs.fileno()), str(os.getpid())],
            pass_fds=[theirs.fileno()], env=_scrubbed_env(self.base), cwd=self.base,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        self.lock = threading.Lock()
        self.control.settimeout(120)
        ready = self.control.recv(1 << 16)
        if not ready:
            raise RuntimeError("the grading worker failed to start")
        self.control.settimeout(30)

    def readonly_paths(self) -> list[str]:
        paths = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives"]
        for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
            paths += [prefix, os.path.realpath(prefix)]
        paths.append(str(self.libdir))
        return list(dict.fromkeys(paths))

    def spawn(self, limits: Limits) -> tuple[int, socket.socket]:
        config = {"root": str(self.base / "root"), "scratch": str(self.base / "scratch"),
                  "readonly": self.readonly_paths(), "disk_mb": limits.disk_mb,
                  "memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds,
                  "file_mb": limits.file_mb, "processes": limits.processes,
                  "output_chars": limits.output_chars}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)

        with self.lock:
            socket.send_fds(self.control, [json.dumps(config).encode()], [theirs.fileno()])
            reply = self.control.recv(1 << 16)
        theirs.close()
        if not reply:
            raise RuntimeError("the grading worker died")
        return int(json.loads(reply)["pid"]), ours

    def close(self) -> None:
        self.control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.base, ignore_errors=True)


_zygotes: dict[str, Zygote] = {}
_zygote_lock = threading.Lock()


def zygote(assignment: str) -> Zygote:
    """The pre-warmed worker for `assignment` (its library holds only that release's files)."""
    with _zygote_lock:
        current = _zygotes.get(assignment)
        if current is None or current.process.poll() is not None:
            current = _zygotes[assignment] = Zygote(assignment)
            atexit.register(current.close)
        return current


# What the worker sends (`dtype.str`): a byte order, then bool, int, uint or float of a
# standard size. Any byte order is accepted and converted to native: a student may return
# a byte-swapped array and its values are still the values. Nothing else is parsed.
