"""Extract an LMS export (.zip) without trusting a single byte of it.

Refused: absolute paths, `..` components, symlinks and other special files, more than
`max_files` members, a member larger than `max_member` or expanding more than
`max_ratio` times, and more than `max_total` bytes in all. Sizes are counted while
reading, not taken from the (forgeable) headers. A refused member is reported with the
first folder of its path, so the student it belongs to gets a row saying why.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath


@dataclass
class ZipLimits:
    max_files: int = 10_000
    max_member: int = 32 << 20
    max_total: int = 512 << 20
    max_ratio: float = 200.0


@dataclass
class Extraction:
    refused: list[tuple[str, str]] = field(default_factory=list)   # (member name, reason)

    def reasons_by_folder(self, prefix: tuple[str, ...] = ()) -> dict[str, str]:
        """Student folder (first component after `prefix`) -> first reason it was refused."""
        found: dict[str, str] = {}
        for name, reason in self.refused:
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if prefix and parts[:len(prefix)] == prefix:
                parts = parts[len(prefix):]
            top = parts[0] if parts else ""
            if top not in ("", "/", "..", "."):
                found.setdefault(top, reason)
        return found


class ZipRefused(Exception):
    """The archive as a whole cannot be used."""


def _safe_parts(name: str) -> tuple[str, ...] | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (name[1:3] == ":/" or name[1:3] == ":\\"):
        return None
    parts = tuple(p for p in path.parts if p not in ("", "."))
    if not parts or any(p == ".." or "\x00" in p for p in parts):
        return None
    return parts


def extract(archive: Path, target: Path, limits: ZipLimits | None = None) -> Extraction:
    limits = limits or ZipLimits()
    result = Extraction()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise ZipRefused(f"{archive.name}: not a readable zip archive ({err})") from None
    with zf:
        members = zf.infolist()
        if len(members) > limits.max_files:
            raise ZipRefused(f"{archive.name}: {len(members)} members, more than "
                             f"{limits.max_files}")
        total = 0
        root = target.resolve()
        for info in members:
            parts = _safe_parts(info.filename)
            if parts is None:
                result.refused.append((info.filename, "unsafe path in archive"))
                continue
            if parts[0] == "__MACOSX":
                continue
            destination = root.joinpath(*parts)
            if root not in destination.resolve().parents:
                result.refused.append((info.filename, "unsafe path in archive"))
                continue
            mode = info.external_attr >> 16
            if info.is_dir() and stat.S_IFMT(mode) in (0, stat.S_IFDIR):
                destination.mkdir(parents=True, exist_ok=True)
                continue
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # no type bits: a plain file
                kind = "symlink" if stat.S_ISLNK(mode) else "special file"
                result.refused.append((info.filename, f"{kind} in archive"))
                continue
            if info.file_size > limits.max_member or (
                    info.compress_size and info.file_size / info.compress_size > limits.max_ratio):
                result.refused.append((info.filename, "zip bomb (member too large)"))
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            written, refused = 0, None
            try:
                with zf.open(info) as source, open(destination, "wb") as sink:
                    while chunk := source.read(1 << 16):
                        written += len(chunk)
                        if (written > info.file_size or written > limits.max_member
                                or total + written > limits.max_total):
                            refused = "zip bomb (expands beyond its limits)"
                            break
                        sink.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as err:
                refused = f"unreadable member ({type(err).__name__})"
            if refused:
                destination.unlink(missing_ok=True)
                result.refused.append((info.filename, refused))
                continue
            total += written
    return result
