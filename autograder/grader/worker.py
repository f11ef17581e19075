"""The pre-warmed worker ("zygote") and the sandbox it forks for every submission.

Started once per grading process as ``python -m autograder.grader.worker LIBDIR FD`` with a
scrubbed environment. It imports numpy, matplotlib (Agg) and course_utils once, then waits
on its control socket. For each request it forks a *supervisor*, which (as root) moves into
new mount, PID, network, IPC and UTS namespaces and forks the *sandbox*: PID 1 of the new
PID namespace, so that every process the student starts dies with it. The sandbox builds a
read-only root holding only the interpreter, the virtual environment and a copy of the
course helpers, mounts a small tmpfs as its working directory, applies resource limits,
drops to an unprivileged uid of its own, loads the system-call filter of `confine` (one
process, no keyrings, no shared memory, ...) and then serves requests from the grader
(`serve.py`).

Only `autograder.spec`, `autograder.execute`, `autograder.wire` and the grader's
`protocol`, `serve` and `confine` are imported here: none of them knows where the tests,
the reference or the gradebook live.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
import resource
import secrets
import select
import shutil
import signal
import socket
import sys
import tempfile

from . import confine
from .protocol import send
from .serve import Capped, serve

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
UID_BASE = 1_000_000  # sandbox uids: UID_BASE + a random multiple of PID_LIMIT + a pid
PID_LIMIT = 1 << 22   # the kernel's largest pid_max
INODES = 8192         # files in a sandbox's tmpfs (their inodes are memory outside its size)

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    def enc(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _read_vm_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _build_root(config: dict) -> list[str]:
    """Mount a read-only root with only what the interpreter needs; chroot into it."""
    root = config["root"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    # The scratch /tmp first: the read-only library folder may live below /tmp and must
    # not be hidden by it.
    os.makedirs(root + "/tmp", exist_ok=True)
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={config['disk_mb']}m,nr_inodes={INODES},mode=1777")
    for path in config["readonly"]:
        target = root + path
        if os.path.islink(path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.lexists(target):
                os.symlink(os.readlink(path), target)
            continue
        if not os.path.exists(path) or os.path.exists(target):
            continue
        os.makedirs(target, exist_ok=True)
        _mount(path, target, None, MS_BIND | MS_REC)
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "random", "urandom"):
        target = f"{root}/dev/{device}"
        open(target, "w").close()
        _mount(f"/dev/{device}", target, None, MS_BIND)
    # No /proc, /sys or /dev/shm: nothing the sandbox runs needs them, and each would be
    # one more window on the machine or one more place to leave something behind.
    features = ["read-only root", f"{config['disk_mb']} MB tmpfs working directory",
                "no /proc, /sys, /dev/shm"]
    os.chdir(root)
    os.chroot(".")
    os.chdir("/tmp")
    try:
        _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    except OSError:
        pass
    return features


def _limit(config: dict, vm: int) -> None:
    memory = vm + config["memory_mb"] * 2**20
    for limit, value in ((resource.RLIMIT_AS, memory),
                         (resource.RLIMIT_CPU, config["cpu_seconds"]),
                         (resource.RLIMIT_FSIZE, config["file_mb"] * 2**20),
                         (resource.RLIMIT_NPROC, config["processes"]),
                         (resource.RLIMIT_NOFILE, 64),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails, it does not kill


def _die_with_supervisor(alive: int) -> None:
    """SIGKILL on the supervisor's death; exit now if it is already dead (`alive` at EOF)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if select.select([alive], [], [], 0)[0]:
        os._exit(0)


def _sandbox(config: dict, fd: int, isolation: list[str], uid: int, alive: int,
             syscalls: confine.Filter | None) -> None:
    _die_with_supervisor(alive)
    sock = socket.socket(fileno=fd)
    vm = _read_vm_bytes()
    features = list(isolation)
    if "namespaces" in isolation:
        features += _build_root(config)
    else:
        os.chdir(config["workdir"])
    _limit(config, vm)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        features.append(f"unprivileged uid {uid}")
        _die_with_supervisor(alive)  # again: a change of uid clears the parent-death signal
    try:
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
    except OSError:
        pass
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    os.closerange(3, fd)
    os.closerange(fd + 1, 1 << 16)
    output = Capped(config["output_chars"])
    sys.stdout = sys.stderr = output
    if syscalls is not None:  # last: the filter also forbids some of the steps above
        try:
            features.append(syscalls.load())
        except OSError:  # a kernel without seccomp: the isolation list shows its absence
            pass
    send(sock, {"op": "ready", "isolation": features})
    serve(sock, output)


def _descendants_gone(me: int) -> bool:
    """Kill every process reparented to us (we are a subreaper) or still in our session."""
    found = False
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me or int(fields[3]) == me:  # ppid, session id
            found = True
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break
    return not found


def _supervise(config: dict, fd: int, zygote: int, syscalls: confine.Filter | None) -> None:
    """Fork the sandbox in fresh namespaces; when it ends, make sure nothing it started lives."""
    os.setsid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote:  # the zygote died before the line above
        os._exit(0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    me = os.getpid()
    # Unique among living sandboxes (pids are); a later sandbox reusing the pid gets the
    # same uid only by a 1-in-1000 chance (and nothing keyed on a uid outlives it anyway).
    uid = UID_BASE + secrets.randbelow(1000) * PID_LIMIT + me
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    isolation: list[str] = []
    if _libc.unshare(flags) == 0:
        isolation = ["namespaces", "pid namespace", "no network"]
    else:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        config["workdir"] = tempfile.mkdtemp(prefix="sandbox-", dir=config["scratch"])
        if os.geteuid() == 0:
            os.chown(config["workdir"], uid, uid)
        isolation = ["subreaper"]
    alive, keep = os.pipe()  # the sandbox sees EOF on `alive` once we are gone
    child = os.fork()
    if child == 0:
        try:
            os.close(keep)
            _sandbox(config, fd, isolation, uid, alive, syscalls)
        finally:
            os._exit(0)
    os.close(fd)
    os.close(alive)

    def stop(signum, frame):
        try:
            os.kill(child, signal.SIGKILL)
        except OSError:
            pass

    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            os.waitpid(child, 0)
            break
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    if "pid namespace" not in isolation:
        for _ in range(50):  # daemons may fork while we kill: repeat until none is left
            if _descendants_gone(me):
                break
        shutil.rmtree(config["workdir"], ignore_errors=True)


# ---------------------------------------------------------------------------- zygote side

def _prewarm(libdir: str) -> None:
    sys.path.insert(0, libdir)
    sys.meta_path[:] = [f for f in sys.meta_path if "Editable" not in type(f).__name__
                        and "Editable" not in getattr(f, "__name__", "")]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401

    import course_utils  # noqa: F401

    for name in ("course_utils.gradcheck", "course_utils.functions", "course_utils.init",
                 "course_utils.runtime"):
        try:
            __import__(name)
        except ImportError:
            pass


def main() -> None:
    libdir, control_fd, grader = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    control = socket.socket(fileno=control_fd)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the zygote never outlives its grader
    if os.getppid() != grader:  # it died while this process started, before the line above
        return
    _prewarm(libdir)
    syscalls = confine.build()  # once: each sandbox only loads it
    # What is loaded now is every sandbox's, shared copy-on-write: out of the collector's
    # sight, so that a collection in a sandbox does not write to (and copy) all of it.
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped automatically
    control.send(json.dumps({"op": "ready", "pid": os.getpid()}).encode())
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)
        except OSError:
            return
        if not message:
            return
        config = json.loads(message)
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            control.close()
            try:
                _supervise(config, fds[0], zygote, syscalls)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    main()
