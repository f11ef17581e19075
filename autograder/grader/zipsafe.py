"""Extract an LMS export (.zip) without trusting a single byte of it.

Every member belongs to a student folder: the first folder of its path, after the class
export's single wrapping folder if there is one (`export/alice/...`). Problems are charged
to that folder, never to the archive, so one student can neither stop the batch nor use
up another student's budget:

- refused members (the student is graded without them, with a note): absolute paths, `..`
  components, NUL bytes, paths deeper than `max_depth`, symlinks and other special files,
  a member larger than `max_member` or expanding more than `max_ratio` times, a member
  that cannot be read or written;
- refused folders (status `refused: <reason>`, not graded): more than `max_files` entries
  or `max_bytes` bytes in the folder, members that conflict on disk (the same path twice,
  a file where a folder is needed, names that collide on a case-insensitive file system),
  or the archive's sanity caps (`max_archive_files`, `max_archive_bytes`: far above a
  class's worth of budgets) reached before the folder was done.

Members outside every student folder (files beside them, hidden folders, `__MACOSX`) are
not extracted: they belong to nobody and could only get in a student's way.

Sizes are counted while reading, not taken from the (forgeable) headers. Member names are
read as UTF-8 (also without the zip's UTF-8 flag, which current tools often omit; Python
3.11+); bytes that are not UTF-8 are kept as surrogate escapes, so they reach the disk as
the same bytes, exactly as `os.listdir` returns such names. Only an archive that cannot
be opened at all raises `ZipRefused`.
"""

from __future__ import annotations

import codecs
import os
import shutil
import stat
import struct
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .neutral import visible

SKIPPED_DIRS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__"}
MAX_LISTED = 5          # refused members listed per folder (x20 outside); the rest counted
LENIENT = "kit_utf8_surrogateescape"


def _lenient(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") != LENIENT:
        return None
    return codecs.CodecInfo(
        name=LENIENT,
        encode=lambda text, errors="strict": codecs.utf_8_encode(text, "surrogateescape"),
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "surrogateescape", True))


codecs.register(_lenient)


@dataclass
class ZipLimits:
    max_files: int = 1000              # entries (files and folders) per student folder
    max_bytes: int = 100 << 20         # extracted bytes per student folder
    max_member: int = 32 << 20         # one member
    max_ratio: float = 200.0           # expansion of one member
    max_depth: int = 16                # folders in one member's path
    max_archive_files: int = 1_000_000
    max_archive_bytes: int = 64 << 30


@dataclass
class Extraction:
    prefix: tuple[str, ...] = ()        # the wrapping folder looked through, if any
    # (member name, reason): the first refused members of each student folder and of
    # the rest (all are counted in `counts`; None counts those outside the folders)
    refused: list[tuple[str, str]] = field(default_factory=list)
    folders: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)     # folder -> refused members
    blocked: dict[str, str] = field(default_factory=dict)   # folder -> why it is refused


class ZipRefused(Exception):
    """The archive as a whole cannot be used."""


def parts_of(name: str) -> tuple[str, ...] | None:
    """A member's path components, or None when it is absolute or has a drive."""
    path = PurePosixPath(name)
    if path.is_absolute() or name[1:2] == ":":
        return None
    return path.parts


def _safe_parts(name: str) -> tuple[str, ...] | None:
    parts = parts_of(name)
    if parts is None or not parts or any(p == ".." or "\x00" in p for p in parts):
        return None
    return parts


def is_wrapper(children: dict[str, bool], assignment: str | None, *, archive: bool) -> bool:
    """Is the only folder at the top of the submissions a wrapper around the class (LMS
    exports have one: `export/alice/...`), to be looked through? `children`: what that
    folder holds (name -> is a folder), hidden names left out.

    Never when it holds a notebook of its own (it is a student's folder), nor, in a folder
    on disk (not `archive`), any file of its own (an archive's wrapper may hold the
    export's submission_times.csv). Then yes when it holds several folders (no folder name
    may turn a class into one student: a student may be called like the assignment), or
    only one folder named neither like the assignment (one student's nbgrader layout) nor
    like a notebook. The caller says so whenever it looks through one (`wrapper_warning`).
    """
    files = [name for name, folder in children.items() if not folder]
    if any(name.endswith(".ipynb") for name in files) or (files and not archive):
        return False
    if len(children) - len(files) >= 2:
        return True
    return bool(children) and not files and assignment not in children and (
        not any(name.endswith(".ipynb") for name in children))


def wrapper_warning(name: str, archive: bool) -> str:
    """The one line said whenever a wrapping folder is looked through."""
    shown = visible(name)
    where = "the archive's only top folder" if archive else "the only folder given"
    own = "no notebook" if archive else "no file"
    return (f"{shown} looked through as the class's wrapping folder ({where}, with {own} "
            f"of its own): each folder in it is graded as a student"
            + ("" if archive else f" (to grade {shown} as one student, put any file beside "
               "it)"))


def hidden(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith(".")


def is_dir(info: zipfile.ZipInfo) -> bool:
    return info.filename.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def _prefix(infos: list[zipfile.ZipInfo], assignment: str | None) -> tuple[str, ...]:
    members = [(parts, is_dir(info)) for info in infos if (parts := parts_of(info.filename))]
    tops = {parts[0] for parts, _ in members if not hidden(parts[0])}
    if len(tops) != 1:
        return ()
    top = tops.pop()
    children: dict[str, bool] = {}
    for parts, folder in members:
        if parts[0] == top and len(parts) > 1 and not hidden(parts[1]):
            children[parts[1]] = children.get(parts[1], False) or folder or len(parts) > 2
    return (top,) if is_wrapper(children, assignment, archive=True) else ()


def owner(name: str, folder: bool, prefix: tuple[str, ...]) -> str | None:
    """The student folder a member (a folder itself if `folder`) belongs to; None for
    files beside the student folders, absolute paths and hidden folders."""
    parts = parts_of(name)
    if parts is None or parts[:len(prefix)] != prefix:
        return None
    rest = parts[len(prefix):]
    if not rest or rest[0] in ("..", "/") or hidden(rest[0]):
        return None
    return rest[0] if len(rest) > 1 or folder else None


def _clear_utf8_flags(archive: Path) -> IO[bytes]:
    """A copy of the archive whose names are all read leniently (see the module doc).

    Only used when a name flagged as UTF-8 is not: clearing the flag lets the lenient
    codec read it; valid names read the same either way.
    """
    copy = tempfile.TemporaryFile()
    with open(archive, "rb") as source:
        shutil.copyfileobj(source, copy)
    size = copy.seek(0, os.SEEK_END)
    copy.seek(max(0, size - (1 << 16) - 22))
    tail = copy.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        raise ZipRefused("no end of central directory")
    cd_size, cd_offset = struct.unpack_from("<II", tail, end + 12)
    end += size - len(tail)
    concat, pos = end - cd_size - cd_offset, end - cd_size
    while pos + 46 <= end:
        copy.seek(pos)
        record = copy.read(46)
        if record[:4] != b"PK\x01\x02":
            break
        flags, = struct.unpack_from("<H", record, 8)
        lengths = struct.unpack_from("<HHH", record, 28)
        local, = struct.unpack_from("<I", record, 42)
        copy.seek(pos + 8)
        copy.write(struct.pack("<H", flags & ~0x800))
        copy.seek(concat + local)
        header = copy.read(8)
        if header[:4] == b"PK\x03\x04":
            copy.seek(concat + local + 6)
            copy.write(struct.pack("<H", struct.unpack_from("<H", header, 6)[0] & ~0x800))
        pos += 46 + sum(lengths)
    copy.seek(0)
    return copy


def open_zip(archive: Path) -> zipfile.ZipFile:
    lenient: dict[str, Any] = (
        {"metadata_encoding": LENIENT} if sys.version_info >= (3, 11) else {})
    try:
        try:
            return zipfile.ZipFile(archive, **lenient)
        except UnicodeDecodeError:  # a name flagged as UTF-8 that is not
            return zipfile.ZipFile(_clear_utf8_flags(archive), **lenient)
    except ZipRefused as err:
        problem = str(err)
    except Exception as err:  # noqa: BLE001 - any parser error: the archive is unusable
        problem = f"{type(err).__name__}: {err}"
    raise ZipRefused(f"{archive.name}: not a readable zip archive ({problem})") from None


def _size(count: int) -> str:
    return f"{count >> 20} MB" if count >= 1 << 20 else f"{count} bytes"


class _Extractor:
    """Extracts members one by one, charging each to its student folder's budget."""

    def __init__(self, zf: zipfile.ZipFile, root: Path, limits: ZipLimits,
                 result: Extraction) -> None:
        self.zf, self.root, self.limits, self.result = zf, root, limits, result
        self.files: Counter = Counter()     # per student folder
        self.bytes: Counter = Counter()
        self.total_files = self.total_bytes = 0
        self.made: set[tuple[str, ...]] = set()    # paths already counted

    def refuse(self, name: str, folder: str | None, reason: str, block: bool = False) -> None:
        result = self.result
        if block and folder is not None:
            result.blocked.setdefault(folder, reason)
        result.counts[folder] += 1
        if result.counts[folder] > (MAX_LISTED if folder is not None else 20 * MAX_LISTED):
            return
        result.refused.append((name, reason))
        if folder is not None:
            result.folders.setdefault(folder, []).append((name, reason))

    def charge(self, folder: str | None, parts: tuple[str, ...]) -> None:
        """Count what a member may create: itself and the folders it needs."""
        new = {parts[:k] for k in range(1, len(parts) + 1)} - self.made
        self.made |= new
        self.files[folder] += len(new) or 1
        self.total_files += len(new) or 1

    def member(self, info: zipfile.ZipInfo) -> None:
        name, limits = info.filename, self.limits
        folder = owner(name, is_dir(info), self.result.prefix)
        if folder in self.result.blocked:
            return self.refuse(name, folder, self.result.blocked[folder])
        parts = _safe_parts(name)
        if parts is None:
            return self.refuse(name, folder, "unsafe path in archive")
        if folder is None:  # beside the student folders (or hidden): nobody's, not needed
            return None
        if len(parts) > limits.max_depth:
            return self.refuse(name, folder, f"path deeper than {limits.max_depth} levels")
        self.charge(folder, parts)
        if self.files[folder] > limits.max_files:
            return self.refuse(name, folder, f"more than {limits.max_files} files", True)
        if self.total_files > limits.max_archive_files:
            return self.refuse(name, folder, "the archive holds too many files", True)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            return self.refuse(name, folder, "symlink in archive")
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: a plain file
            return self.refuse(name, folder, "special file in archive")
        if is_dir(info):
            return self.write(name, folder, parts, None)
        if info.file_size > limits.max_member or (
                info.compress_size and info.file_size / info.compress_size > limits.max_ratio):
            return self.refuse(name, folder, "zip bomb (member too large)")
        return self.write(name, folder, parts, info)

    def write(self, name: str, folder: str | None, parts: tuple[str, ...],
              info: zipfile.ZipInfo | None) -> None:
        """Create a folder (`info` None) or a file; any failure refuses this member only."""
        destination, created, block = self.root.joinpath(*parts), False, False
        try:
            if self.root not in destination.resolve().parents:
                refused = "unsafe path in archive"
            elif info is None:
                destination.mkdir(parents=True, exist_ok=True)
                refused = None
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                with open(destination, "xb") as sink:  # exclusive: a second copy conflicts
                    created = True
                    refused = self.copy(info, sink, folder)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            refused, block = "conflicting members in archive", True
        except (OSError, ValueError) as err:  # a name too long, the disk full, ...
            refused = f"could not be extracted ({getattr(err, 'strerror', None) or 'error'})"
        if refused:
            if created:
                destination.unlink(missing_ok=True)
            block = block or refused.startswith(("more than", "the archive"))
            self.refuse(name, folder, refused, block)

    def copy(self, info: zipfile.ZipInfo, sink: IO[bytes], folder: str | None) -> str | None:
        limits, written = self.limits, 0
        try:
            with self.zf.open(info) as source:
                while chunk := source.read(1 << 16):
                    written += len(chunk)
                    if written > info.file_size or written > limits.max_member:
                        return "zip bomb (expands beyond its limits)"
                    if folder is not None and self.bytes[folder] + written > limits.max_bytes:
                        return f"more than {_size(limits.max_bytes)}"
                    if self.total_bytes + written > limits.max_archive_bytes:
                        return "the archive is too large"
                    sink.write(chunk)
        except OSError:
            raise
        except Exception as err:  # noqa: BLE001 - any decoder error: an unreadable member
            return f"unreadable member ({type(err).__name__})"
        self.bytes[folder] += written
        self.total_bytes += written
        return None


def extract(archive: Path, target: Path, limits: ZipLimits | None = None,
            assignment: str | None = None) -> Extraction:
    """Extract `archive` into `target`; what was refused, per student folder."""
    with open_zip(archive) as zf:
        infos = zf.infolist()
        if not any("/" in info.filename for info in infos):
            # Old Windows tools separate folders with backslashes. In an archive that uses
            # `/`, a backslash is part of a name: a student's folder `bob\\rnn` (or a
            # file `bob\\rnn.ipynb`) must never land in `bob`'s folder.
            for info in infos:
                info.filename = info.filename.replace("\\", "/")
        result = Extraction(prefix=_prefix(infos, assignment))
        extractor = _Extractor(zf, target.resolve(), limits or ZipLimits(), result)
        for info in infos:
            extractor.member(info)
    return result
