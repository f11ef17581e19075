"""Sandboxes share nothing, no process outlives its submission, memory is bounded.

A probe leaves a unique marker in every channel a process can reach from inside one
sandbox; a second sandbox of the same run (while the first is still alive) and a sandbox
of a later run (a new grading process) look for it in each of them. Other tests: new
processes fail with a Python error, memory outside the address space is refused, and a
grader killed mid-cell leaves no process behind. Needs root (namespaces); skipped without.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from autograder.grader.sandbox import Session
from autograder.grader.zygote import Limits

ASSIGNMENT = "rnn"
LIMITS = Limits(timeout=20, memory_mb=256)

# Runs inside the sandbox, as a cell. MODE "write" leaves MARK everywhere it can; "read"
# looks for it everywhere. Either prints one JSON line: channel -> what happened.
PROBE = r'''
import builtins, ctypes, errno, fcntl, json, os, platform, socket, struct, sys, threading
import numpy as np

_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_libc.syscall.restype = ctypes.c_long
KEY = 0x6B6D6B01                                  # SysV IPC key of the probe
NAME = "kitmark-probe"
SHARED = os.path.realpath(sys.executable)         # a read-only file every sandbox sees
KEYS = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(platform.machine())
RINGS = {"user keyring": -4, "user-session keyring": -5, "session keyring": -3}
report = {}

def _err(code=None):
    code = ctypes.get_errno() if code is None else code
    return "refused: " + errno.errorcode.get(code, str(code))

def attempt(channel, action):
    try:
        report[channel] = action()
    except OSError as err:
        report[channel] = _err(err.errno)
    except Exception as err:
        report[channel] = "refused: " + type(err).__name__

def _keyctl(*args):
    result = _libc.syscall(KEYS[1], *[ctypes.c_long(a) if isinstance(a, int) else a
                                      for a in args])
    if result < 0:
        raise OSError(ctypes.get_errno(), "keyctl")
    return result

def _persistent():
    return _keyctl(22, -1, -3)                    # KEYCTL_GET_PERSISTENT, own uid

def _walk():
    """Every directory and file outside the private /tmp that this uid can write."""
    dirs, files, private = [], [], os.stat("/tmp").st_dev
    for top, subdirs, names in os.walk("/"):
        subdirs[:] = [d for d in subdirs if not (top == "/" and d in ("proc", "sys"))]
        if os.stat(top).st_dev == private or os.statvfs(top).f_flag & os.ST_RDONLY:
            continue  # the sandbox's own /tmp, or a read-only mount: nothing to write here
        if os.access(top, os.W_OK):
            try:
                with open(os.path.join(top, NAME), "x") as out:
                    out.write(MARK)
                dirs.append(top)
            except OSError:
                pass
        for name in names:
            path = os.path.join(top, name)
            if path in ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom"):
                continue  # writes vanish (random: mixed into the pool, never read back)
            if not os.path.islink(path) and os.access(path, os.W_OK):
                files.append(path)
    return dirs + files

def write():
    for channel, path in [("file in /tmp", "/tmp/" + NAME), ("file in cwd", NAME),
                          ("file in home", os.path.expanduser("~/" + NAME)),
                          ("file in /dev/shm", "/dev/shm/" + NAME),
                          ("file in /var/tmp", "/var/tmp/" + NAME),
                          ("file in /root", "/root/" + NAME)]:
        attempt(channel, lambda: open(path, "w").write(MARK) and "written")
    def walk():
        writable = _walk()
        return "writable: %s" % writable[:10] if writable else "refused: none writable"
    attempt("any writable path (walk of /)", walk)
    attempt("xattr on a shared file", lambda: os.setxattr(SHARED, "user.kitmark",
                                                          MARK.encode()) or "written")
    def shm():
        ident = _libc.shmget(KEY, 4096, 0o1666)    # IPC_CREAT | 0666
        if ident < 0:
            return _err()
        address = _libc.shmat(ident, None, 0)
        if address in (None, 2**64 - 1):
            return _err()
        ctypes.memmove(address, MARK.encode(), len(MARK))
        return "written"
    attempt("SysV shared memory", shm)
    def msg():
        ident = _libc.msgget(KEY, 0o1666)
        if ident < 0:
            return _err()
        body = struct.pack("l", 1) + MARK.encode()
        if _libc.msgsnd(ident, body, len(MARK), 0o4000) < 0:   # IPC_NOWAIT
            return _err()
        return "written"
    attempt("SysV message queue", msg)
    def sem():
        ident = _libc.semget(KEY, 1, 0o1666)
        if ident < 0:
            return _err()
        return "written" if _libc.semctl(ident, 0, 16, 4242) == 0 else _err()  # SETVAL
    attempt("SysV semaphore", sem)
    def mq():
        fd = _libc.mq_open(b"/" + NAME.encode(), os.O_CREAT | os.O_RDWR, 0o666, None)
        if fd < 0:
            return _err()
        return "written" if _libc.mq_send(fd, MARK.encode(), len(MARK), 0) == 0 else _err()
    attempt("POSIX message queue", mq)
    rings = dict(RINGS)
    attempt("persistent keyring", lambda: rings.update(persistent=_persistent()) or "found")
    for channel, ring in rings.items():
        def add(ring=ring):
            data = MARK.encode()
            if _libc.syscall(KEYS[0], b"user", NAME.encode(), data, len(data),
                             ctypes.c_long(ring)) < 0:
                return _err()
            return "written"
        attempt(channel if channel != "persistent" else "persistent keyring", add)
    def abstract():
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind("\0" + NAME)
        server.listen()
        def serve():
            while True:
                server.accept()[0].sendall(MARK.encode())
        threading.Thread(target=serve, daemon=True).start()
        globals()["_keep_server"] = server
        return "listening"
    attempt("abstract Unix socket", abstract)
    def memfd():
        fd = os.memfd_create(NAME)
        os.write(fd, MARK.encode())
        globals()["_keep_memfd"] = fd
        return "written"
    attempt("memfd", memfd)
    def environment():
        os.environ["KITMARK"] = MARK
        return "written"
    attempt("environment", environment)
    def interpreter():
        builtins.kitmark = np.kitmark = MARK
        sys.modules["kitmark"] = type(sys)(MARK)
        return "written"
    attempt("interpreter state (builtins, numpy, sys.modules)", interpreter)
    attempt("hostname (UTS)", lambda: socket.sethostname(MARK) or "written")
    def flock():
        fd = os.open(SHARED, os.O_RDONLY)
        globals()["_keep_flock"] = fd
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return "locked"
    attempt("flock on a shared file", flock)
    def posix_lock():
        fd = os.open(SHARED, os.O_RDONLY)
        globals()["_keep_lockf"] = fd
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return "locked"
    attempt("fcntl lock on a shared file", posix_lock)
    def inotify():
        fd = _libc.inotify_init()
        return "watching" if fd >= 0 and _libc.inotify_add_watch(
            fd, SHARED.encode(), 0xFFF) >= 0 else _err()
    attempt("inotify on a shared file", inotify)
    def signals():
        ours = {os.getpid()} | {t.native_id for t in threading.enumerate()}
        others = [p for p in range(1, 1 << 15) if p not in ours and _alive(p)]
        return "can signal %s" % others[:10] if others else "refused: no other process"
    attempt("signals to other pids", signals)
    def ptrace():
        for pid in sorted({1, os.getppid()} - {0}):
            if _libc.ptrace(16, pid, None, None) == 0:      # PTRACE_ATTACH
                return "attached to %d" % pid
        return _err()
    attempt("ptrace attach", ptrace)
    for path in ("/proc/sys/kernel/hostname", "/proc/sysrq-trigger", "/proc/self/attr/current",
                 "/sys/kernel/uevent_helper", "/sys/fs/cgroup/cgroup.procs"):
        attempt("open %s for writing" % path,   # opened, never written
                lambda path=path: os.close(os.open(path, os.O_WRONLY)) or "opened")
    attempt("new user namespace", lambda: "created" if _libc.unshare(0x10000000) == 0
            else _err())

def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True

def read():
    def files():
        found = []
        for top, subdirs, names in os.walk("/"):
            subdirs[:] = [d for d in subdirs if not (top == "/" and d in ("proc", "sys"))]
            for name in names:
                if name.startswith("kitmark"):
                    try:
                        if MARK in open(os.path.join(top, name)).read():
                            found.append(os.path.join(top, name))
                    except OSError:
                        pass
        return "FOUND %s" % found if found else "absent"
    attempt("files anywhere (walk of /)", files)
    def xattr():
        return "FOUND" if MARK.encode() in os.getxattr(SHARED, "user.kitmark") else "absent"
    attempt("xattr on a shared file", xattr)
    def shm():
        ident = _libc.shmget(KEY, 0, 0)
        if ident < 0:
            return "absent (%s)" % _err()
        data = ctypes.string_at(_libc.shmat(ident, None, 0o10000), 4096)  # SHM_RDONLY
        return "FOUND" if MARK.encode() in data else "exists"
    attempt("SysV shared memory", shm)
    for channel, call in [("SysV message queue", lambda: _libc.msgget(KEY, 0)),
                          ("SysV semaphore", lambda: _libc.semget(KEY, 0, 0)),
                          ("POSIX message queue", lambda: _libc.mq_open(
                              b"/" + NAME.encode(), os.O_RDONLY, 0, None))]:
        attempt(channel, lambda call=call: "FOUND" if call() >= 0 else "absent (%s)" % _err())
    rings = dict(RINGS)
    attempt("persistent keyring", lambda: rings.update(persistent=_persistent()) or "absent")
    for channel, ring in rings.items():
        def search(ring=ring):
            serial = _libc.syscall(KEYS[1], ctypes.c_long(10), ctypes.c_long(ring), b"user",
                                   NAME.encode(), ctypes.c_long(0))  # KEYCTL_SEARCH
            return "FOUND" if serial >= 0 else "absent (%s)" % _err()
        attempt(channel if channel != "persistent" else "persistent keyring", search)
    def abstract():
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.settimeout(2)
        client.connect("\0" + NAME)
        return "FOUND" if MARK.encode() in client.recv(1024) else "FOUND (a listener)"
    attempt("abstract Unix socket", abstract)
    def memfd():
        if not os.path.isdir("/proc"):
            return "absent (no /proc)"
        links = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                links += [os.readlink("/proc/%s/fd/%s" % (pid, fd))
                          for fd in os.listdir("/proc/%s/fd" % pid)]
            except OSError:
                pass
        return "FOUND" if any(NAME in link for link in links) else "absent"
    attempt("memfd", memfd)
    attempt("environment", lambda: "FOUND" if any(MARK in v for v in os.environ.values())
            else "absent")
    attempt("interpreter state (builtins, numpy, sys.modules)",
            lambda: "FOUND" if MARK in (getattr(builtins, "kitmark", ""),
                                        getattr(np, "kitmark", ""))
            or "kitmark" in sys.modules else "absent")
    attempt("hostname (UTS)", lambda: "FOUND" if socket.gethostname() == MARK else "absent")
    def flock():
        fd = os.open(SHARED, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return "FOUND (locked by another sandbox)"
        finally:
            os.close(fd)
        return "absent"
    attempt("flock on a shared file", flock)
    def posix_lock():
        fd = os.open(SHARED, os.O_RDONLY)
        try:
            query = struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0)
            kind = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, query))[0]
        finally:
            os.close(fd)
        return "absent" if kind == fcntl.F_UNLCK else "FOUND (a lock holder)"
    attempt("fcntl lock on a shared file", posix_lock)
    def signals():
        ours = {os.getpid()} | {t.native_id for t in threading.enumerate()}
        others = [p for p in range(1, 1 << 15) if p not in ours and _alive(p)]
        return "FOUND %s" % others[:10] if others else "absent"
    attempt("signals to other pids", signals)

(write if MODE == "write" else read)()
print("PROBE" + json.dumps(report))
'''


def _probe(session: Session, mode: str, mark: str) -> dict[str, str]:
    source = f"MODE, MARK = {mode!r}, {mark!r}\n" + PROBE
    loaded = session.load("", [("probe", source)])
    assert loaded["probe"]["ok"], loaded["probe"]["error"]
    lines = [line for line in session.output().splitlines() if line.startswith("PROBE")]
    return json.loads(lines[-1][len("PROBE"):])


def _namespaced_session(limits: Limits = LIMITS) -> Session:
    session = Session(limits, ASSIGNMENT)
    if "namespaces" not in session.isolation:
        session.close()
        pytest.skip("sandboxes are namespaces only when grading as root")
    return session


# A later run: a new grading process, so a new zygote and new sandboxes.
LATER_RUN = """
import json, sys
from autograder.grader.sandbox import Session
from autograder.grader.zygote import Limits
from tests.test_isolation import LIMITS, ASSIGNMENT, _probe
with Session(LIMITS, ASSIGNMENT) as session:
    print(json.dumps(_probe(session, "read", sys.argv[1])))
"""


def _found(report: dict[str, str]) -> dict[str, str]:
    return {channel: result for channel, result in report.items()
            if result.startswith("FOUND")}


def test_a_marker_left_in_every_channel_reaches_no_other_sandbox_and_no_later_run():
    mark = f"kitmark-{uuid.uuid4().hex}"
    writer = _namespaced_session()
    try:
        assert any(f.startswith("seccomp filter") for f in writer.isolation), writer.isolation
        written = _probe(writer, "write", mark)
        with Session(LIMITS, ASSIGNMENT) as neighbour:   # while the writer still lives
            same_run = _probe(neighbour, "read", mark)
    finally:
        writer.close()
    later = subprocess.run([sys.executable, "-c", LATER_RUN, mark], capture_output=True,
                           text=True, timeout=120, cwd=os.path.dirname(os.path.dirname(
                               os.path.abspath(__file__))))
    assert later.returncode == 0, later.stderr[-2000:]
    later_run = json.loads(later.stdout.strip().splitlines()[-1])
    print("\nchannel tried by the writer: result")
    for channel, result in written.items():
        print(f"  {channel}: {result}")
    print("found by another sandbox:", _found(same_run), "by a later run:", _found(later_run))
    assert len(written) >= 12
    assert not _found(same_run) and not _found(later_run)
    # Whatever succeeded stayed inside the writer's own sandbox: /tmp, its process state.
    private = {"file in /tmp", "file in cwd", "file in home", "abstract Unix socket",
               "environment", "interpreter state (builtins, numpy, sys.modules)"}
    escaped = {c: r for c, r in written.items()
               if not r.startswith("refused") and c not in private}
    assert not escaped, escaped


# ------------------------------------------------------------------ one process per sandbox

SPAWNERS = '''
import json, multiprocessing, os, subprocess, sys
def _child_exits(pid):
    if pid == 0:
        os._exit(0)   # should never run: only if a process could be started after all
    return "started"
tried = {}
for name, start in [
        ("os.fork", lambda: _child_exits(os.fork())),
        ("subprocess.run", lambda: subprocess.run(["/bin/true"])),
        ("os.posix_spawn", lambda: os.posix_spawn("/bin/true", ["true"], {})),
        ("multiprocessing", lambda: multiprocessing.get_context("fork").Process(
            target=print).start()),
        ("os.execv", lambda: os.execv(sys.executable, [sys.executable, "-c", "0"]))]:
    try:
        start()
        tried[name] = "started"
    except OSError as err:
        tried[name] = type(err).__name__
tried["os.system"] = os.system("true")
print("SPAWN" + json.dumps(tried))
def spawner(x):
    _child_exits(os.fork())
    return x
def double(x):
    return 2 * x
'''


def test_new_processes_fail_with_a_python_error_and_the_sandbox_goes_on():
    from autograder.spec import Call, Case, Ref

    with _namespaced_session() as session:
        loaded = session.load("", [("spawners", SPAWNERS)])
        assert loaded["spawners"]["ok"], loaded
        line = next(x for x in session.output().splitlines() if x.startswith("SPAWN"))
        tried = json.loads(line[len("SPAWN"):])
        print(tried)
        assert tried.pop("os.system") != 0
        assert set(tried.values()) == {"PermissionError"}, tried
        forked = session.run(Case("fork", (Call("spawner", (1.0,)),), {"y": Ref(0)}))
        assert forked.kind == "error" and "PermissionError" in forked.error, forked
        doubled = session.run(Case("double", (Call("double", (1.5,)),), {"y": Ref(0)}))
        assert doubled.kind == "ok" and doubled.outputs["y"].ravel()[0] == 3.0


# ------------------------------------------------------------------------------ memory bound

MEMORY_BOMBS = '''
import ctypes, json, mmap, os
import numpy as np
GB = 1 << 30
libc = ctypes.CDLL(None, use_errno=True)
def memfd():
    fd = os.memfd_create("bomb")
    os.ftruncate(fd, GB)
    mmap.mmap(fd, GB)[:] = b"x" * GB
def shm():
    if libc.shmget(0, GB, 0o1600) < 0:                  # IPC_PRIVATE, IPC_CREAT
        raise OSError(ctypes.get_errno(), "shmget")
def shared_mapping():
    mmap.mmap(-1, GB, flags=mmap.MAP_SHARED)[:] = b"x" * GB
def tmpfs():
    with open("/tmp/bomb", "wb") as out:
        for _ in range(1024):
            out.write(b"x" * (1 << 20))
def tmpfs_files():
    for i in range(100_000):
        open("/tmp/f%d" % i, "w").close()
def array():
    np.ones(GB // 2)
outcome = {}
for bomb in (memfd, shm, shared_mapping, tmpfs, tmpfs_files, array):
    try:
        bomb()
        outcome[bomb.__name__] = "allocated"
    except (OSError, MemoryError) as err:
        outcome[bomb.__name__] = "%s %s" % (type(err).__name__, getattr(err, "strerror", ""))
print("BOMBS" + json.dumps(outcome))
'''


def test_memory_outside_the_address_space_limit_is_refused():
    with _namespaced_session(Limits(timeout=20, memory_mb=256, disk_mb=64)) as session:
        loaded = session.load("", [("bombs", MEMORY_BOMBS)])
        assert loaded["bombs"]["ok"], loaded
        line = next(x for x in session.output().splitlines() if x.startswith("BOMBS"))
        outcome = json.loads(line[len("BOMBS"):])
        print(outcome)
        assert outcome["memfd"].startswith("PermissionError")   # not counted in RLIMIT_AS
        assert outcome["shm"].startswith("PermissionError")     # nor is a SysV segment
        assert outcome["shared_mapping"].startswith(("OSError", "MemoryError"))  # counted
        assert outcome["tmpfs"].startswith("OSError")           # file size / tmpfs size
        assert outcome["tmpfs_files"].startswith("OSError")     # tmpfs inode count
        assert outcome["array"].startswith("MemoryError")


# ------------------------------------------------------------- no process outlives grading

KILLED_GRADER = """
from autograder.grader.sandbox import Session
from autograder.grader.zygote import Limits, zygote
session = Session(Limits(timeout=60), "rnn")
print(zygote("rnn").process.pid, session.supervisor, zygote("rnn").base, flush=True)
session.load("", [("hang", "while True:\\n    pass")])
"""


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, start time) of every process."""
    table = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), fields[0], fields[19])
    return table


def _descendants(root: int) -> dict[int, str]:
    table, found, todo = _processes(), {}, [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _, start) in table.items():
            if ppid == parent:
                found[pid] = start
                todo.append(pid)
    return found


def test_a_killed_grader_leaves_no_process_behind():
    if os.geteuid() != 0:
        pytest.skip("without root the sandbox is not the init of a PID namespace")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    grader = subprocess.Popen([sys.executable, "-c", KILLED_GRADER], cwd=root,
                              stdout=subprocess.PIPE, text=True)
    base = ""
    try:
        zygote_pid, supervisor, base = grader.stdout.readline().split()
        zygote_pid, supervisor = int(zygote_pid), int(supervisor)
        time.sleep(0.5)                                       # the cell is spinning now
        below = _descendants(grader.pid)
        assert {zygote_pid, supervisor} < set(below) and len(below) >= 3, below
    finally:
        grader.kill()
        grader.wait()
        shutil.rmtree(base, ignore_errors=True)  # a killed grader cannot remove its files
    deadline = time.monotonic() + 5
    while True:
        table = _processes()
        alive = {pid for pid, start in below.items()
                 if pid in table and table[pid][2] == start and table[pid][1] != "Z"}
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not alive, f"still running after the grader was killed: {alive}"
