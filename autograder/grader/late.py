"""Late submissions: when each student handed in, their deadline, and the course's penalty.

Deadlines come from `release.deadlines` (nbgrader's gradebook: the assignment's `duedate`
plus a submission's `extension`; and `due_dates.json`: `due` and per-student
`extensions`). The policy is the `late_policy` entry of the same `due_dates.json`
(course-wide, or inside an assignment's entry to override it):

    {"late_policy": {"grace_minutes": 15, "per_day": 0.1, "cap": 0.5, "of": "score"},
     "rnn": {"due": "2025-03-07T23:59+01:00", "extensions": {"alice": "2025-03-10"}}}

A submission later than its deadline by no more than the grace period is on time; past
it, every day begun after the deadline is a late day. The penalty is `per_day` of the
points per late day, at most `cap` (0 to 1), taken of the student's own score (`"of":
"score"`, the default) or of the maximum score (`"max_score"`, never below zero).

Submission times come from every source there is: a `submission_times.csv` at the top of
the submissions folder or archive (`student_id,submitted_at`, ISO 8601; without a zone,
this machine's local time, as in due_dates.json); in a .zip, the notebook member's
modification time (local time, as zip stores it); nbgrader's `timestamp.txt` in the
student's folder or beside the notebook (what `nbgrader submit` writes: `2025-03-07
22:10:05.123456 UTC`; a time without a zone is UTC, as nbgrader reads it). The first two
are the instructor's; `timestamp.txt` is in the student's own upload, so it is never
trusted to make a submission earlier: the latest time any source gives is used (the
instructor's source on a tie), and sources more than a minute apart are a one-line note.
A time that cannot be read (garbage, too large, a zone that is not known, more than a
day in the future) is a one-line note, never an error; only when no source gives a time
is no penalty applied.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..release import ReleaseRefused, dates_file, deadlines, parse_when
from .collect import Found
from .neutral import csv_cell, one_line
from .zipsafe import ZipRefused, open_zip

TIMESTAMP_FILE = "timestamp.txt"
TIMES_FILE = "submission_times.csv"
MAX_TIMESTAMP_BYTES = 200
MAX_TIMES_BYTES = 8 << 20
FUTURE = timedelta(days=1)      # clock skew tolerated before a time counts as forged
AGREE = timedelta(minutes=1)    # sources further apart than this are noted
ZIP_ENTRY = "zip entry time"
DAY = timedelta(days=1)


class PolicyError(ValueError):
    """The course's late policy cannot be used (a one-line message)."""


@dataclass(frozen=True)
class LatePolicy:
    grace: timedelta = timedelta(0)
    per_day: float = 0.0            # fraction of the points lost per late day
    cap: float = 1.0                # most fraction ever lost
    of: str = "score"               # "score" (the student's) or "max_score"

    @classmethod
    def from_json(cls, data: object) -> LatePolicy:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise PolicyError("late_policy must be an object")
        unknown = set(data) - {"grace_minutes", "per_day", "cap", "of"}
        if unknown:
            raise PolicyError(f"late_policy: unknown keys {sorted(unknown)}")
        try:
            grace, per_day = float(data.get("grace_minutes", 0)), float(data.get("per_day", 0))
            cap = float(data.get("cap", 1))
        except (TypeError, ValueError):
            raise PolicyError("late_policy: grace_minutes, per_day and cap are numbers") from None
        if not (0 <= grace <= 60 * 24 * 366 and 0 <= per_day <= 1 and 0 <= cap <= 1):
            raise PolicyError("late_policy: grace_minutes >= 0, 0 <= per_day <= 1, "
                              "0 <= cap <= 1")
        of = data.get("of", "score")
        if of not in ("score", "max_score"):
            raise PolicyError('late_policy: "of" is "score" or "max_score"')
        return cls(timedelta(minutes=grace), per_day, cap, of)

    def late_days(self, submitted: datetime, deadline: datetime) -> int:
        """0 within the grace period; else every day begun after the deadline."""
        late = submitted - deadline
        if late <= self.grace or late <= timedelta(0):
            return 0
        return math.ceil(late / DAY)

    def penalty(self, score: float, max_score: float, days: int) -> float:
        """Points taken off: never more than the score, never more than the cap allows."""
        fraction = min(self.cap, self.per_day * max(0, days))
        base = score if self.of == "score" else max_score
        return min(max(0.0, score), max(0.0, base) * fraction)


@dataclass
class Timing:
    submitted_at: datetime | None = None
    source: str = ""
    note: str | None = None


@dataclass
class Lateness:
    submitted_at: datetime | None
    deadline: datetime | None
    late_days: int | None
    penalty: float
    adjusted: float
    note: str | None = None

    def cells(self) -> list[str]:
        """submitted_at, late_days, late_penalty, adjusted_score (grades.csv)."""
        when = self.submitted_at.astimezone(timezone.utc).isoformat() if self.submitted_at \
            else ""
        days = "" if self.late_days is None else str(self.late_days)
        return [when, days, f"{self.penalty:g}", f"{self.adjusted:g}"]

    def line(self, max_score: float) -> str | None:
        """The feedback page's one line, or None when there is nothing to say."""
        if self.note:
            return one_line(f"Submission time: {self.note}; no late penalty applied.")
        if self.submitted_at is None or self.deadline is None:
            return None
        shown = self.submitted_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        due = self.deadline.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if not self.late_days:
            return f"Submitted {shown}, on time (deadline {due})."
        days = "day" if self.late_days == 1 else "days"
        return (f"Submitted {shown}, {self.late_days} {days} late (deadline {due}): late "
                f"penalty {self.penalty:g} points; adjusted score {self.adjusted:g} / "
                f"{max_score:g}.")


@dataclass
class Course:
    """The deadlines and policy of one assignment in one course root."""

    due: datetime | None
    extensions: dict[str, datetime]
    policy: LatePolicy

    @classmethod
    def load(cls, root: Path, assignment: str) -> Course:
        try:
            due, extensions = deadlines(assignment, root)
            policy = LatePolicy.from_json(dates_file(root, assignment, "late_policy"))
        except ReleaseRefused as err:
            raise PolicyError(str(err)) from None
        return cls(due, extensions, policy)

    def deadline(self, student_id: str, safe_id: str) -> datetime | None:
        """The student's own deadline: an extension (by folder name, or by the sanitized id
        the gradebook stores) only ever moves it later."""
        dates = [d for d in (self.due, self.extensions.get(student_id),
                             self.extensions.get(safe_id)) if d is not None]
        return max(dates) if dates else None

    def assess(self, student_id: str, safe_id: str, score: float, max_score: float,
               timing: Timing | None) -> Lateness:
        timing = timing or Timing()
        deadline = self.deadline(student_id, safe_id)
        when = timing.submitted_at
        if when is None or deadline is None:  # the note says why there is no time
            return Lateness(when, deadline, None, 0.0, score,
                            timing.note if when is None else None)
        days = self.policy.late_days(when, deadline)
        penalty = self.policy.penalty(score, max_score, days)
        return Lateness(when, deadline, days, penalty, max(0.0, score - penalty))


def parse_time(text: str, naive_utc: bool) -> datetime:
    """An aware datetime from ISO 8601 or nbgrader's `YYYY-MM-DD HH:MM:SS.ffffff ZONE`
    (ZONE: UTC, Z, an offset such as +0100 or +01:00, or an IANA name); ValueError."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d[ T][\d:.]+)\s+([A-Za-z][\w/+-]*|[+-]\d\d:?\d\d)",
                         text)
    if match:
        stamp, zone = match.groups()
        when = datetime.fromisoformat(stamp.replace(" ", "T"))
        if zone.upper() in ("UTC", "GMT", "Z"):
            return when.replace(tzinfo=timezone.utc)
        if zone[0] in "+-":
            hours, minutes = int(zone[1:3]), int(zone[-2:])
            offset = timedelta(hours=hours, minutes=minutes) * (1 if zone[0] == "+" else -1)
            return when.replace(tzinfo=timezone(offset))
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return when.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {zone!r}") from None
    if naive_utc and re.fullmatch(r"\d{4}-\d\d-\d\d[ T][\d:.]+", text):
        return datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=timezone.utc)
    return parse_when(text)


def _checked(when: datetime, now: datetime) -> datetime:
    if when > now + FUTURE:
        raise ValueError("in the future")
    when.astimezone(timezone.utc)  # an offset that cannot be represented raises here
    return when


def _read_small(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of a plain file, never through a symlink or from a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with open(fd, "rb") as source:
        if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
            raise ValueError("not a plain file")
        data = source.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit} bytes")
    return data


def read_timestamp(path: Path, now: datetime) -> Timing:
    """nbgrader's timestamp.txt: a time, or a one-line note; never raises."""
    try:
        text = _read_small(path, MAX_TIMESTAMP_BYTES).decode("utf-8")
        return Timing(_checked(parse_time(text, naive_utc=True), now), TIMESTAMP_FILE)
    except (OSError, ValueError, OverflowError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        if isinstance(err, UnicodeDecodeError):
            reason = "not UTF-8 text"
        return Timing(None, TIMESTAMP_FILE,
                      one_line(f"{TIMESTAMP_FILE} not used ({one_line(reason, 80)})", 200))


def read_times_file(data: bytes, now: datetime) -> tuple[dict[str, Timing], list[str]]:
    """submission_times.csv: `student_id,submitted_at` rows; (times, notes)."""
    times: dict[str, Timing] = {}
    notes: list[str] = []
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as err:
        return {}, [one_line(f"{TIMES_FILE} not used ({type(err).__name__})")]
    for number, row in enumerate(rows, 1):
        if len(row) < 2 or (number == 1 and row[0].strip() == "student_id"):
            continue
        student, text = row[0], row[1]
        try:
            times[student] = Timing(_checked(parse_time(text, naive_utc=False), now),
                                    TIMES_FILE)
        except (ValueError, OverflowError) as err:
            times[student] = Timing(None, TIMES_FILE, one_line(
                f"{TIMES_FILE} line {number}: {one_line(err, 80)}", 200))
    return times, notes


def _zip_times(archive: Path, now: datetime, students: set[str]
               ) -> tuple[dict[str, datetime], bytes | None]:
    """(member name -> modification time, the archive's submission_times.csv if any).

    The list is read at the top of the archive or in its wrapping folder, never in a
    student's folder (`students`): a student must not write anybody's time. Names are
    read as the extraction reads them (`zipsafe.open_zip`), so they match the folders."""
    times: dict[str, datetime] = {}
    listed = None
    try:
        with open_zip(archive) as zf:
            infos = zf.infolist()
            windows = not any("/" in info.filename for info in infos)  # as zipsafe.extract
            for info in infos:
                name = info.filename.replace("\\", "/") if windows else info.filename
                parts = name.split("/")
                if parts[-1] == TIMES_FILE and (len(parts) == 1 or (
                        len(parts) == 2 and parts[0] not in students | {"", ".", ".."})) \
                        and info.file_size <= MAX_TIMES_BYTES and listed is None:
                    listed = zf.read(info)[:MAX_TIMES_BYTES]
                try:
                    times[name] = _checked(datetime(*info.date_time).astimezone(), now)
                except (ValueError, OverflowError):
                    continue
    except (OSError, zipfile.BadZipFile, ZipRefused, ValueError, NotImplementedError,
            RuntimeError):
        return {}, None
    return times, listed


def _student_timestamp(item: Found, now: datetime) -> Timing | None:
    """timestamp.txt beside the notebook, else in the student's folder."""
    if item.notebook is None:
        return None
    folder = item.notebook.parent
    for _ in range(2):
        if os.path.lexists(folder / TIMESTAMP_FILE):
            return read_timestamp(folder / TIMESTAMP_FILE, now)
        if folder.name == item.student_id:
            return None
        folder = folder.parent
    return None


def _shown(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def combine(sources: list[Timing]) -> Timing | None:
    """One submission time from the sources' (the instructor's listed first): the latest
    time any of them gives, the first listed on a tie, so no source can make a submission
    earlier than another says. Sources more than `AGREE` apart, and sources that could
    not be read, are the one-line note; no time at all when none could be read."""
    if not sources:
        return None
    dated = [(t.submitted_at, t.source) for t in sources if t.submitted_at is not None]
    unread = [t.note for t in sources if t.submitted_at is None and t.note]
    if not dated:
        return Timing(None, sources[0].source, one_line("; ".join(unread)) if unread else None)
    latest, source = dated[0]
    for when, name in dated[1:]:
        if when > latest:
            latest, source = when, name
    notes = []
    if latest - min(when for when, _ in dated) > AGREE:
        given = ", ".join(f"{name} {_shown(when)}" for when, name in dated)
        notes.append(f"submission times disagree ({given}): the latest, from {source}, "
                     "is used")
    return Timing(latest, source, one_line("; ".join(notes + unread)) if notes + unread
                  else None)


def submission_times(found: list[Found], submissions: Path, unzipped: Path | None,
                     now: datetime | None = None) -> tuple[dict[str, Timing], list[str]]:
    """Every student's submission time (by safe_id) and archive-level notes; never raises.
    `unzipped` is where an archive was extracted (None for a folder). See the module doc:
    the instructor's sources first, the latest time wins."""
    now = now or datetime.now(timezone.utc)
    notes: list[str] = []
    listed: dict[str, Timing] = {}
    member_times: dict[str, datetime] = {}
    data = None
    if submissions.is_file():
        member_times, data = _zip_times(submissions, now, {f.student_id for f in found})
    elif (submissions / TIMES_FILE).is_file():
        try:
            data = _read_small(submissions / TIMES_FILE, MAX_TIMES_BYTES)
        except (OSError, ValueError) as err:
            notes.append(one_line(f"{TIMES_FILE} not used ({one_line(err, 80)})"))
    if data is not None:
        listed, more = read_times_file(data, now)
        notes += more
    timings: dict[str, Timing] = {}
    for item in found:
        sources = [listed[item.student_id]] if item.student_id in listed else []
        if unzipped is not None and item.notebook is not None:
            try:
                member = item.notebook.relative_to(unzipped).as_posix()
            except ValueError:
                member = ""
            if member in member_times:
                sources.append(Timing(member_times[member], ZIP_ENTRY))
        stamp = _student_timestamp(item, now)
        timing = combine(sources + ([stamp] if stamp is not None else []))
        if timing is not None:
            timings[item.safe_id] = timing
    return timings, notes


def late_cells(lateness: Lateness | None, score: float) -> list[str]:
    """grades.csv's late columns (neutral: no formula can start a cell)."""
    cells = lateness.cells() if lateness else ["", "", "0", f"{score:g}"]
    return [csv_cell(c) for c in cells]
