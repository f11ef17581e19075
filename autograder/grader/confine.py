"""The system-call filter of a sandbox: what numerical code never needs and escapes use.

Built with libseccomp, through its official Python binding `seccomp` when installed, else
the API-compatible ctypes binding `pyseccomp`; the zygote builds it once and every sandbox
loads it as its last step before serving (after chroot, rlimits, dropping its uid and
`no_new_privs`), so nothing the sandbox sets up itself is affected. Every call not listed
is allowed. A denied call fails with EPERM, so student code gets a `PermissionError` it can
catch, never a killed process; 32-bit and x32 system calls fail with ENOSYS.

The namespaces built by the worker already make files, IPC objects, abstract sockets,
hostnames and process ids private to one sandbox; the filter closes what namespaces do
not separate (kernel keyrings, locks and notifications on the shared read-only files, the
kernel itself) and keeps the sandbox a single process, which makes its address-space limit
a bound on all the memory it can use.
"""

from __future__ import annotations

import errno
import socket

try:  # libseccomp's own binding, when the system provides it
    import seccomp
except ImportError:
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError):  # no binding, or no libseccomp.so.2
        seccomp = None

CLONE_THREAD = 0x00010000
# fcntl commands that lock, lease or watch a file: on the read-only files every sandbox
# shares, one sandbox could signal another through them (GETLK even reports the holder).
F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW = 5, 6, 7, 36, 37, 38
F_SETLEASE, F_NOTIFY = 1024, 1026

DENIED = (
    # New processes and programs: the sandbox stays one process (threads are allowed, see
    # `build`), so RLIMIT_AS bounds its memory and no fork bomb, daemon or helper exists.
    "fork", "vfork", "execve", "execveat",
    # Memory outside the address-space limit, and IPC objects that outlive a process (the
    # IPC namespace already makes them private to the sandbox).
    "memfd_create", "memfd_secret", "shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd",
    "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl", "mq_open", "mq_unlink",
    "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # Kernel keyrings belong to a uid, not a namespace, and outlive every process: a marker
    # left there could be read by a later sandbox that gets the same uid.
    "keyctl", "add_key", "request_key",
    # Other processes (the PID namespace hides them; this also takes away the means).
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    # Watching or locking the read-only files that all sandboxes share.
    "inotify_init", "inotify_init1", "inotify_add_watch", "fanotify_init", "fanotify_mark",
    "flock",
    # Changing the sandbox itself: mounts, namespaces, its root.
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree",
    "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "name_to_handle_at", "open_by_handle_at",
    # Kernel interfaces no numerical code uses, and where kernel exploits tend to start.
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "personality", "modify_ldt", "lookup_dcookie", "move_pages",
    "migrate_pages", "mbind", "set_mempolicy", "set_mempolicy_home_node", "vhangup",
    "syslog", "uselib",
    # Machine-wide state: these need privileges the sandbox lacks, denied all the same.
    "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "swapon", "swapoff", "quotactl", "quotactl_fd", "acct",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
    "setdomainname", "ioperm", "iopl",
)


class Filter:
    """A built libseccomp filter; `load()` confines the calling process for good."""

    def __init__(self, rules, denied: int) -> None:
        self.rules, self.denied = rules, denied

    def load(self) -> str:
        self.rules.load()
        return (f"seccomp filter ({self.denied} system calls denied; clone, fcntl, socket "
                "restricted)")


def _known(name: str) -> bool:
    """Whether this architecture has the system call (older libseccomps lack new ones)."""
    try:
        return seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) >= 0
    except (ValueError, OSError):
        return False


def build() -> Filter | None:
    """The sandbox's filter, or None when libseccomp is not available."""
    if seccomp is None:
        return None
    deny = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.ERRNO(errno.ENOSYS))
    rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, should one exist already
    names = [name for name in DENIED if _known(name)]
    for name in names:
        rules.add_rule(deny, name)
    # A clone without CLONE_THREAD is a new process; a thread shares the address space.
    rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    # clone3 passes its flags in memory a filter cannot read: with ENOSYS, glibc falls
    # back to clone (threads, posix_spawn), which the rule above inspects.
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for command in (F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW,
                    F_SETLEASE, F_NOTIFY):
        # (the kernel reads the command as 32 bits: compare only those)
        rules.add_rule(deny, "fcntl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, command))
    # Only Unix sockets (the grader's is one): no network even without a network namespace.
    for call in ("socket", "socketpair"):
        rules.add_rule(deny, call, seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    return Filter(rules, len(names) + 1)
