"""Every untrusted surface of the grader, fed by hypothesis: notebooks, zip archives, names
on disk, sandbox replies. Nothing a student sends may raise, cost another student anything
or reach a report un-neutralised; one end-to-end batch checks the exact rows."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import resource
import socket
import stat
import struct
import tempfile
import threading
import time
import unicodedata
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograder import wire
from autograder.__main__ import main as cli
from autograder.course import solution_submission, with_answers
from autograder.grader import confine as oracle_confine
from autograder.grader import format_table, grade
from autograder.grader import oracle as oracle_mod
from autograder.grader.batch import release_notebook
from autograder.grader.collect import Found, collect
from autograder.grader.job import Record
from autograder.grader.neutral import block, csv_cell, one_line, visible
from autograder.grader.oracle import OracleMalformed, oracle_process
from autograder.grader.protocol import Deadline, ProtocolError, receive
from autograder.grader.report import feedback_html, gradescope, write_csv, write_student
from autograder.grader.runner import Runner, Scale
from autograder.grader.sandbox import _seconds, decode_arrays
from autograder.grader.tamper import inspect, parse
from autograder.grader.zipsafe import ZipLimits, extract
from autograder.grader.zygote import Limits
from autograder.notebooks import answer_cells
from autograder.suite import cases
from autograder.suite import tests_for as hidden_tests
from autograder.verdict import TestResult

CACHE = Path(tempfile.gettempdir()) / "kit-grader-test-cache"
FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
# Characters no output of the grader may hold (newlines only where a block allows them).
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
NASTY = ["\x1b[31m", "\x1b]0;owned\x07", "\x9b2J", "\u202e", "\u2067", "\ud800", "\udcff",
         "\x00", "\r\n", "\t", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", " =1", "<b>",
         "\\x1b", "Zoë", "Zoe\u0308", "\ufeff", "\u2028"]
text = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(NASTY)), max_size=6).map(
    "".join)


def clean(output: str, newlines: bool = False) -> bool:
    """No control characters, bidi overrides or surrogates (what a terminal or a sheet
    would act on)."""
    for char in output:
        if char in "\n\t" and newlines:   # a block keeps its lines and tabs
            continue
        if (unicodedata.category(char) in ("Cc", "Cs") or char in BIDI
                or char in ("\u2028", "\u2029")):
            return False
    return True


def no_formula(cell: str) -> bool:
    try:
        float(cell)
        return True           # a number we wrote ourselves
    except ValueError:
        return not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.fixture(scope="module")
def release():
    return release_notebook("rnn", CACHE)


# ---------------------------------------------------------------------------- neutral.py

@given(text)
@FAST
def test_neutral_fields_are_clean_and_ids_stay_distinct(value):
    assert clean(one_line(value)) and clean(visible(value)) and clean(csv_cell(value))
    assert clean(block(value), newlines=True) and "\r" not in block(value)
    assert no_formula(csv_cell(value))
    assert one_line(one_line(value)) == one_line(value)
    assert len(one_line(value, 10)) <= 10
    other = value + "\x1b"
    assert visible(value) != visible(other)
    assert visible(value + "\udcff") != visible(value + "\xff") != visible(value + "\\xff")


# ------------------------------------------------------------------- notebooks (tamper.py)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["cells", "cell_type", "source", "metadata", "nbgrader",
                                 "grade_id", "points", "schema_version", "solution", "grade",
                                 "locked", "nbformat", "outputs"]) | text, inner, max_size=4)),
    max_leaves=20)


def _mutate(notebook: dict, path: list[int], key: str, value) -> dict:
    changed = json.loads(json.dumps(notebook))
    if path and changed["cells"]:
        cell = changed["cells"][path[0] % len(changed["cells"])]
        target = cell["metadata"].setdefault("nbgrader", {}) if len(path) > 1 else cell
        target[key] = value
    else:
        changed[key] = value
    return changed


@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode())
       | st.sampled_from([b"[" * 100_000, b'{"nbformat": ' + b"1" * 5000 + b"}",
                          b'{"cells": [], "nbformat": NaN}', b"\xff\xfe{}",
                          b'{"cells": [{"cell_type": "code", "source": "\\ud800"}], '
                          b'"nbformat": 4}']))
@FAST
def test_any_bytes_parse_or_get_a_one_line_reason(release, data):
    notebook, reason = parse(data)
    assert (notebook is None) != (reason is None)
    if reason is not None:
        assert reason and "\n" not in reason and len(reason) < 100
    inspection = inspect(data, release)
    assert inspection.invalid is None or "\n" not in inspection.invalid


@given(st.lists(st.integers(0, 200), max_size=2),
       st.sampled_from(["source", "cell_type", "metadata", "grade_id", "points",
                        "schema_version", "solution", "grade", "locked", "nbformat", "cells"]),
       json_values)
@FAST
def test_mutated_release_notebooks_never_break_inspection(release, path, key, value):
    good = solution_submission(release, "rnn")
    data = json.dumps(_mutate(good, path, key, value)).encode("utf-8", "surrogatepass")
    notebook, reason = parse(data)
    inspection = inspect(data, release)
    assert (inspection.invalid is None) == (notebook is not None)


def test_notebook_limits(release):
    good = solution_submission(release, "rnn")
    # An oversized answer cell is not run (its function scores 0); the rest is graded.
    function = next(iter(answer_cells(release)))
    huge = with_answers(good, {function: "x = 1\n" * 20_000})
    inspection = inspect(json.dumps(huge).encode(), release)
    assert inspection.invalid is None and function not in inspection.answers
    assert inspection.notes == [f"answer cell {function} is larger than 64 KB: not run"]
    assert len(inspection.answers) == len(answer_cells(release)) - 1
    many = dict(good, cells=good["cells"] * 30)
    assert parse(json.dumps(many).encode())[1] == "more than 2000 cells"
    bad_version = _mutate(good, [0, 0], "schema_version", [1])
    assert parse(json.dumps(bad_version).encode())[1] == "malformed cell metadata"
    big_points = _mutate(good, [0, 0], "points", 10 ** 400)
    assert parse(json.dumps(big_points).encode())[1] == "malformed cell metadata"


# --------------------------------------------------------------------------------- zips

NAME_PARTS = [b"alice", b"bob", b"Bob", b"rnn", b"rnn.ipynb", b"x", b"..", b".", b"",
              b".hidden", b"__MACOSX", b"caf\xe9", b"\xff\xfe", b"Zo\xc3\xab", b"Zoe\xcc\x88",
              b"a\\b", b"C:", b"\x1b[31m", b"=1+1", b"n" * 300]


@st.composite
def member(draw) -> tuple[bytes, bytes, int, bool]:
    """(name, data, mode, UTF-8 flag) of one archive member."""
    parts = draw(st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=4))
    if draw(st.integers(0, 9)) == 0:
        parts = parts * 6                                 # deeper than max_depth
    name = b"/".join(parts)
    kind = draw(st.sampled_from(["file", "file", "file", "dir", "link", "fifo", "bare"]))
    if draw(st.booleans()):
        name = b"/" + name
    if kind == "dir":
        name += b"/"
    mode = {"file": 0o100644, "dir": 0o040755, "link": 0o120777, "fifo": 0o010644,
            "bare": 0}[kind]
    data = b"" if kind == "dir" else draw(st.sampled_from([b"{}", b"x" * 900, b"\0" * 2500]))
    return name, data, mode, draw(st.booleans())


def raw_zip(members: list[tuple[bytes, bytes, int, bool]]) -> bytes:
    """A stored zip with exactly these name bytes and flags (zipfile cannot write names
    that are not UTF-8, nor a UTF-8 flag on names that are not)."""
    local, central = io.BytesIO(), io.BytesIO()
    for name, data, mode, utf8 in members:
        offset, crc, flags = local.tell(), zlib.crc32(data), 0x800 if utf8 else 0
        local.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 0, 0, 0, crc,
                                len(data), len(data), len(name), 0) + name + data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, flags, 0, 0,
                                  0, crc, len(data), len(data), len(name), 0, 0, 0, 0,
                                  mode << 16, offset) + name)
    start, directory = local.tell(), central.getvalue()
    return local.getvalue() + directory + struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0)


def _decoded(name: bytes) -> str:
    return name.split(b"\0")[0].decode("utf-8", "surrogateescape")


def expected_folders(members, prefix: tuple[str, ...]) -> set[str]:
    """Student folders an archive names, derived from the raw names independently."""
    folders = set()
    # Backslashes separate folders only in an archive that never uses "/" (old Windows tools).
    windows = not any("/" in _decoded(raw) for raw, *_ in members)
    for raw, _, mode, _ in members:
        name = _decoded(raw)
        path = name.replace("\\", "/") if windows else name
        if path.startswith("/") or name[1:2] == ":":
            continue
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if parts[:len(prefix)] != list(prefix):
            continue
        rest = parts[len(prefix):]
        is_dir = name.endswith("/") or stat.S_ISDIR(mode)
        if rest and rest[0] != ".." and not rest[0].startswith(".") and \
                rest[0] not in ("__MACOSX", "__pycache__") and (len(rest) > 1 or is_dir):
            folders.add(rest[0])
    return folders


def _tree_size(folder: Path) -> tuple[int, int]:
    files = size = 0
    for _, dirnames, filenames in os.walk(os.fsencode(folder)):
        files += len(dirnames) + len(filenames)
    for dirpath, _, filenames in os.walk(os.fsencode(folder)):
        size += sum(os.lstat(os.path.join(dirpath, f)).st_size for f in filenames)
    return files, size


LIMITS = ZipLimits(max_files=4, max_bytes=4000, max_member=2000, max_depth=8)
GOOD = (b"zz_good/rnn.ipynb", b"{}", 0o100644, False)


@given(st.lists(member(), max_size=12), st.booleans())
@settings(max_examples=120, deadline=None)
def test_any_archive_gives_one_row_per_student_folder_within_budgets(members, wrapped):
    members = members + [GOOD]
    if wrapped:
        members = [(b"export/" + m[0].lstrip(b"/"), *m[1:]) for m in members]
    with tempfile.TemporaryDirectory() as tmp:
        archive, target = Path(tmp) / "export.zip", Path(tmp) / "out"
        archive.write_bytes(raw_zip(members))
        target.mkdir()
        extraction = extract(archive, target, LIMITS, "rnn")
        assert set(os.listdir(tmp)) == {"export.zip", "out"}   # nothing written outside
        found = collect(target, "rnn", extraction)
        ids = [f.student_id for f in found]
        assert sorted(ids) == sorted(expected_folders(members, extraction.prefix))
        safe = [f.safe_id.casefold() for f in found]
        assert len(set(safe)) == len(safe)
        assert all(s.isascii() and "/" not in s and s not in (".", "..") for s in safe)
        base = target.joinpath(*extraction.prefix)
        for item in found:
            assert item.problem is None or "\n" not in item.problem
            folder = base / item.student_id
            if os.path.isdir(folder):
                files, size = _tree_size(folder)
                assert files <= LIMITS.max_files and size <= LIMITS.max_bytes
        if extraction.prefix or not wrapped:
            good = {f.student_id: f for f in found}["zz_good"]
            assert good.problem is None and good.notebook is not None   # never starved


def test_budgets_and_conflicts_are_per_student(tmp_path):
    members = [(b"export/alice/rnn.ipynb", b"{}", 0o100644, False),
               *((f"export/hog/f{i}".encode(), b"x" * 100, 0o100644, False) for i in range(50)),
               (b"export/bob/rnn.ipynb", b"{}", 0o100644, False),
               (b"export/bob/rnn.ipynb", b"{}", 0o100644, False),
               (b"export/carol/rnn.ipynb", b"{}", 0o100644, False),
               (b"export/carol/rnn.ipynb/x", b"{}", 0o100644, False),
               (b"export/dave\xff/rnn.ipynb", b"{}", 0o100644, True),
               (b"export/erin/rnn.ipynb", b"\0" * 1500, 0o100644, False),
               (b"export/erin/more", b"\0" * 1500, 0o100644, False),
               (b"export/frank/x/" * 20 + b"rnn.ipynb", b"{}", 0o100644, False),
               (b"export/zed/rnn.ipynb", b"{}", 0o100644, False)]
    archive = tmp_path / "export.zip"
    archive.write_bytes(raw_zip(members))
    target = tmp_path / "out"
    target.mkdir()
    limits = ZipLimits(max_files=10, max_bytes=2000)
    found = {f.student_id: f for f in collect(target, "rnn", extract(archive, target, limits))}
    assert {name: f.problem for name, f in found.items()} == {
        "alice": None, "hog": "refused: more than 10 files",
        "bob": "refused: conflicting members in archive",
        "carol": "refused: conflicting members in archive", "dave\udcff": None,
        "erin": "refused: more than 2000 bytes", "frank": "refused: path deeper than 16 levels",
        "zed": None}
    assert found["dave\udcff"].notebook.read_bytes() == b"{}"
    assert "and 36 more refused members" in found["hog"].notes


@pytest.mark.parametrize("zipped", [False, True])
def test_no_folder_name_takes_over_another_student_or_the_class(tmp_path, zipped):
    """A student folder named like the assignment (or a notebook) inside an export does not
    turn the class into one student; a backslash in a name never lands in another folder."""
    files = {"export/alice/rnn.ipynb": b"{}", "export/bob/rnn.ipynb": b"{}",
             "export/carol/rnn.ipynb": b"{}", "export/rnn/rnn.ipynb": b"{}",
             "export/zz.ipynb/rnn.ipynb": b"{}", "export/bob\\rnn/rnn.ipynb": b"x",
             "export/carol\\rnn.ipynb/rnn.ipynb": b"y"}
    if zipped:
        archive = tmp_path / "export.zip"
        archive.write_bytes(raw_zip([(n.encode(), d, 0o100644, False) for n, d in files.items()]))
        target = tmp_path / "out"
        target.mkdir()
        found = collect(target, "rnn", extract(archive, target, assignment="rnn"))
    else:
        for name, data in files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_bytes(data)
        found = collect(tmp_path, "rnn")
    rows = {f.student_id: (f.problem, f.notebook.read_bytes() if f.notebook else None)
            for f in found}
    assert rows == {"alice": (None, b"{}"), "bob": (None, b"{}"), "carol": (None, b"{}"),
                    "rnn": (None, b"{}"), "zz.ipynb": (None, b"{}"),
                    "bob\\rnn": (None, b"x"), "carol\\rnn.ipynb": (None, b"y")}


def test_a_hostile_zip_export_is_one_row_per_student_and_exit_0(tmp_path, capsys, release):
    members = [(b"export/alice/rnn.ipynb", b"{}", 0o100644, False),
               *((f"export/hog/f{i}".encode(), b"", 0o100644, False) for i in range(1001)),
               (b"export/bob/../../escape", b"x", 0o100644, False),
               (b"export/\xff\xfe/", b"", 0o040755, True),
               (b"export/=cmd\x1b[2J/rnn.ipynb", b"\xff not json", 0o100644, False),
               (b"export/zed/rnn.ipynb", b"\0" * 2000, 0o120777, False)]
    archive = tmp_path / "export.zip"
    archive.write_bytes(raw_zip(members))
    out = tmp_path / "out"
    assert cli(["grade", "rnn", str(archive), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert clean(printed.out + printed.err, newlines=True)
    with open(out / "grades.csv", encoding="utf-8", newline="") as source:
        rows = {row["student_id"]: row["status"] for row in csv.DictReader(source)}
    assert rows == {"alice": "invalid notebook", "hog": "refused: more than 1000 files",
                    "bob": "refused: unsafe path in archive", "\\xff\\xfe": "missing notebook",
                    "'=cmd\\x1b[2J": "invalid notebook", "zed": "refused: symlink in archive"}


def test_unreadable_archive_is_one_line_error_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip \x1b[2J")
    assert cli(["grade", "rnn", str(bad), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and clean(err, newlines=True)


# ------------------------------------------------------------------- names on disk

name_bytes = st.lists(st.sampled_from(
    [b"a", b"B", b"\xff", b"\xe9", b"\x1b[2J", b"\x1b]0;t\x07", "\u202e".encode(), b"=", b"+",
     b"-", b"@", b" ", b"\t", b"\r", b"\n", b"..", b"'", b",", b'"', "Zo\u00eb".encode(),
     b"\\", b"<script>"]), min_size=1, max_size=6).map(b"".join)
folder_names = st.lists(st.tuples(name_bytes, name_bytes), min_size=1, max_size=8,
                        unique_by=lambda pair: pair[0])


def _record(item: Found, message: str) -> Record:
    tests = [TestResult("test_rnn_step_forward_next_h", "rnn_step_forward", 0.0, 1.0,
                         message)]
    return Record(item.student_id, item.safe_id, item.problem or f"tampered: {message}",
                  0.0, 1.0, tests, notes=[*item.notes, message])


@given(folder_names, text)
@FAST
def test_any_folder_names_reach_every_report_neutralised(names, message):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "subs"
        root.mkdir()
        for raw, file in names:
            if raw.startswith(b"."):
                continue
            os.mkdir(os.path.join(os.fsencode(root), raw))
            with open(os.path.join(os.fsencode(root), raw, file + b".ipynb"), "w"):
                pass
        found = collect(root, "rnn")
        expected = {os.fsdecode(n) for n, _ in names if not n.startswith(b".")}
        assert sorted(f.student_id for f in found) == sorted(expected)
        records = [_record(f, message) for f in found]
        out = Path(tmp) / "out"
        for folder in (out / "results", out / "feedback"):
            folder.mkdir(parents=True)
        write_csv(records, out / "grades.csv")
        for record in records:
            write_student(record, out, "rnn")
        raw_csv = (out / "grades.csv").read_bytes().decode("utf-8")
        rows = list(csv.reader(io.StringIO(raw_csv, newline="")))
        assert len(rows) == 1 + len(records)
        assert [r[0] for r in rows[1:]] == [csv_cell(visible(r.student_id), None)
                                             for r in records]
        for row in rows:
            assert all(clean(cell) and no_formula(cell) for cell in row)
        for path in [*(out / "results").iterdir(), *(out / "feedback").iterdir()]:
            page = path.read_bytes().decode("utf-8")
            assert clean(page, newlines=True)
            if path.suffix == ".json":
                assert clean(json.dumps(json.loads(page), ensure_ascii=False), newlines=True)
        table = format_table(records)
        assert clean(table, newlines=True)
        assert table.count("\n") == (len(records) + 3 if records else 0)


# -------------------------------------------------------------------- sandbox replies

def _receive_from(data: bytes, **limits) -> tuple[dict, bytes] | Exception:
    ours, theirs = socket.socketpair()
    writer = threading.Thread(target=lambda: (theirs.sendall(data), theirs.close()))
    writer.start()
    try:
        return receive(ours, deadline=time.monotonic() + 5, **limits)
    except (ProtocolError, Deadline) as err:
        return err
    finally:
        ours.close()
        writer.join()


def frame(header: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">IQ", len(header), len(payload)) + header + payload


@given(st.binary(max_size=200)
       | st.tuples(st.binary(max_size=100), st.binary(max_size=50)).map(lambda hp: frame(*hp))
       | json_values.map(lambda v: frame(json.dumps(v).encode("utf-8", "surrogatepass")))
       | st.sampled_from([frame(b"[" * 200_000), frame(b'{"a": ' + b"9" * 5000 + b"}"),
                          frame(b'{"a": NaN}'), frame(b'{"a": -Infinity}'), frame(b"[]"),
                          frame(b'"\xff"'), frame(b'{"a": "\\ud800"}'),
                          struct.pack(">IQ", 2**32 - 1, 0),
                          struct.pack(">IQ", 2, 2**64 - 1) + b"{}",
                          frame(b"{}", b"x")[:-1]]))
@FAST
def test_any_reply_bytes_give_a_frame_or_protocol_error(data):
    result = _receive_from(data)
    if not isinstance(result, Exception):
        header, payload = result
        assert isinstance(header, dict) and isinstance(payload, (bytes, bytearray))


def test_receive_times_out_as_deadline():
    ours, theirs = socket.socketpair()
    try:
        theirs.sendall(struct.pack(">IQ", 2, 0))
        with pytest.raises(Deadline):
            receive(ours, deadline=time.monotonic() + 0.2)
    finally:
        ours.close()
        theirs.close()


DTYPES = ["<f8", ">f8", "|b1", "<i4", ">u2", "<f2", "|u1", "=i8", "O", "|O", "V8", "<U3",
          "M8", "m8", "c16", "<c8", "g", "f16", "S3", "f8,i4", "(2,)f8", "?", "b", "",
          "<f8\x00", "float64", "int", "a"]


@given(st.lists(st.one_of(
           st.tuples(text, st.sampled_from(DTYPES) | text,
                     st.lists(st.integers(-3, 10) | st.sampled_from(
                         [2**63, 2**64 + 1, 10**30, True, 1.0, 10_000_001, 10_000_000,
                          1 << 20]), max_size=4)
                     ).map(list),
           json_values), max_size=4) | json_values,
       st.binary(max_size=300))
# (an attacker session: a zero keeps the element count at 0 while the other dimensions
# multiply past what numpy can describe)
@example([["a", "<f8", [0, 10_000_000, 10_000_000, 10_000_000]]], b"")
@example([["a", "|b1", [10_000_000, 0, 10_000_000, 10_000_000]]], b"")
@FAST
def test_any_array_description_decodes_plainly_or_raises_protocol_error(specs, blob):
    try:
        arrays = decode_arrays(specs, blob)
    except ProtocolError:
        return
    for array in arrays.values():
        assert array.dtype.kind in "biuf" and array.dtype.isnative
        assert array.dtype.kind != "b" or set(array.view(np.uint8).ravel()) <= {0, 1}


@given(st.lists(st.tuples(
    st.sampled_from(["<f8", ">f8", "|b1", "<i2", ">u4", "<f4"]),
    st.lists(st.integers(0, 3), max_size=3)), max_size=4))
@FAST
def test_worker_encoded_arrays_round_trip(shapes):
    rng = np.random.default_rng(0)
    arrays = {f"a{i}": (rng.random(shape) * 10).astype(dtype)
              for i, (dtype, shape) in enumerate(shapes)}
    specs = [[name, a.dtype.str, list(a.shape)] for name, a in arrays.items()]
    decoded = decode_arrays(specs, b"".join(a.tobytes() for a in arrays.values()))
    for name, array in arrays.items():
        assert decoded[name].dtype.isnative and np.array_equal(decoded[name], array)


@given(json_values | st.sampled_from([math.nan, math.inf, -1.0, 10**400, True, 1e6, 0.5]))
@FAST
def test_seconds_are_finite(value):
    seconds = _seconds({"seconds": value})
    assert math.isfinite(seconds) and 0 <= seconds < 1e6
    assert _seconds({"seconds": True}) == 0.0


# ----------------------------------------------------------------------- end to end

def _deep(root: Path, levels: int) -> None:
    """A tree deeper than os.walk's recursion (made with dir_fd: the path is too long)."""
    fd = os.open(root, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("dd", dir_fd=fd)
        inner = os.open("dd", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def _remove_deep(root: Path) -> None:
    fds = [os.open(root, os.O_RDONLY)]
    while True:
        try:
            fds.append(os.open("dd", os.O_RDONLY, dir_fd=fds[-1]))
        except FileNotFoundError:
            break
    fds.pop()
    while fds:
        parent = fds.pop()
        os.rmdir("dd", dir_fd=parent)
        os.close(parent)


def test_a_hostile_class_is_graded_row_by_row(tmp_path, release):
    good = json.dumps(solution_submission(release, "rnn"))
    subs = tmp_path / "subs"
    subs.mkdir()
    (tmp_path / "elsewhere.ipynb").write_text(good)
    escape = "=1+1\x1b[31mred\x1b]0;owned\x07"
    folders = {"good": good, "caf\udce9": good, escape: None, "deep": None, "linky": None,
               "big": None}
    for name, notebook in folders.items():
        (subs / name).mkdir()
        if notebook:
            (subs / name / "rnn.ipynb").write_text(notebook)
    _deep(subs / "deep", 1100)
    (subs / "linky" / "rnn.ipynb").symlink_to(tmp_path / "elsewhere.ipynb")
    (subs / "linkdir").symlink_to(subs / "good")
    with open(subs / "big" / "rnn.ipynb", "wb") as sink:
        sink.truncate(21 << 20)
    logs: list[str] = []
    try:
        records = grade("rnn", subs, tmp_path / "out", workers=2, timeout=10, memory_mb=256,
                        progress=False, log=logs.append)
    finally:
        _remove_deep(subs / "deep")
    rows = {r.student_id: r for r in records}
    assert {k: rows[k].status for k in rows} == {
        "good": "graded", "caf\udce9": "graded", escape: "missing notebook",
        "deep": "missing notebook", "linky": "missing notebook", "big": "invalid notebook",
        "linkdir": "refused: symlink, not followed"}
    assert rows["good"].score == rows["caf\udce9"].score == rows["good"].max_score > 0
    assert "folders deeper than 16 levels not searched" in rows["deep"].notes
    assert "symlink rnn.ipynb ignored" in rows["linky"].notes
    assert "notebook larger than 20 MB" in rows["big"].notes
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8", newline="") as source:
        table = list(csv.reader(source))
    ids = {row[0]: row[3] for row in table[1:]}
    assert ids == {"good": "graded", "caf\\xe9": "graded",
                   "'=1+1\\x1b[31mred\\x1b]0;owned\\x07": "missing notebook",
                   "deep": "missing notebook", "linky": "missing notebook",
                   "big": "invalid notebook", "linkdir": "refused: symlink, not followed"}
    for row in table:
        assert all(clean(cell) and no_formula(cell) for cell in row)
    printed = format_table(records) + "\n".join(logs)
    assert clean(printed, newlines=True) and "caf\\xe9" in printed
    for record in records:
        page = feedback_html(record, "rnn")
        assert clean(page, newlines=True)
        assert clean(json.dumps(gradescope(record), ensure_ascii=False), newlines=True)
        assert (tmp_path / "out" / "results" / f"{record.safe_id}.json").exists()


# ---------------------------------------------------------------------- the helper oracle

def _asker(assignment: str, case):
    """Ask the oracle process as a retry sandbox would: the question's bytes as sent, the
    answer decoded (or None: refused)."""
    bound = Scale.of((case.calls,))

    def ask(name: str, *args):
        question = wire.encode((tuple(args), {}))
        header = json.dumps({"op": "oracle", "function": name, "value": question.tree}).encode()
        found = oracle_process(assignment).ask(header, question.data, bound,
                                               time.monotonic() + 60)
        if found is None:
            raise ValueError("refused: beyond the case, or the reference cannot answer")
        answer = json.loads(found[0])
        return wire.decode(answer["value"], found[1], question.arrays)
    return ask, bound


def test_the_oracle_answers_only_within_the_case_scale():
    """Arguments beyond the case's dimensions, rank or integers are refused before the
    reference runs: broadcasting size-1 axes, a cache naming a huge shape."""
    test = next(t for t in hidden_tests("rnn") if t.function == "rnn_forward" and t.fallback)
    ask, bound = _asker("rnn", cases("rnn", test.name)[-1])
    x = np.zeros((2, bound.largest))
    assert ask("rnn_step_forward", x, x[:, :3], np.zeros((bound.largest, 3)),
               np.zeros((3, 3)), np.zeros(3))[0].shape == (2, 3)
    broadcast = [np.zeros([1] * 30 + [2]) for _ in range(4)] + [np.zeros(1)]
    huge_int = (np.zeros((2, 2)), 10 ** 7)
    for args in (broadcast, [np.zeros((2, bound.largest + 1))] * 5, [*huge_int, 0, 0, 0]):
        with pytest.raises(ValueError, match="refused"):
            ask("rnn_step_forward", *args)


def test_the_oracle_survives_what_the_scale_cannot_see():
    """Found by an attacker: lists of floats are not arrays to the wire's measure, yet
    numpy broadcasts nested lists of shapes (n, 1, 1), (n, 1) and (n,) into n**3 elements.
    The reference runs in its own process, limited in memory: the call is refused there
    (out of memory), the grader's memory does not move, and the next question is answered."""
    test = next(t for t in hidden_tests("rnn") if t.function == "rnn_forward" and t.fallback)
    ask, bound = _asker("rnn", cases("rnn", test.name)[-1])
    n = 1400  # within the wire's 10,000 nodes: 2.7e9 elements, 22 GB of float64
    grader_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValueError, match="refused"):
        ask("rnn_step_forward", [[[0.5]]] * n, [[0.5]] * n, [0.5] * n, [[0.5]], [0.5])
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - grader_before < 50_000  # KB
    x = np.zeros((2, bound.largest))
    assert ask("rnn_step_forward", x, x[:, :3], np.zeros((bound.largest, 3)),
               np.zeros((3, 3)), np.zeros(3))[0].shape == (2, 3)


def test_a_question_as_large_as_a_frame_leaves_the_oracle_alive():
    """Found by an attacker: a sandbox's largest frame (64 MiB) relayed with its header was
    over the oracle's own frame limit, so every such question killed the oracle process
    (and the relay copied it three times). Now it is read, found malformed, and the same
    process answers the next question."""
    test = next(t for t in hidden_tests("rnn") if t.function == "rnn_forward" and t.fallback)
    ask, bound = _asker("rnn", cases("rnn", test.name)[-1])
    ask("rnn_step_forward", np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
        np.zeros((1, 1)), np.zeros(1))
    process = oracle_process("rnn")
    count = (64 << 20) // 8
    header = json.dumps({"op": "oracle", "function": "rnn_step_forward",
                         "value": [[{"a": "<f8", "s": [count]}], {"k": [], "v": []}]}).encode()
    with pytest.raises(OracleMalformed):
        process.ask(header, bytearray(8 * count), bound, time.monotonic() + 60)
    assert oracle_process("rnn") is process and process.alive()
    x = np.zeros((2, bound.largest))
    assert ask("rnn_step_forward", x, x[:, :3], np.zeros((bound.largest, 3)),
               np.zeros((3, 3)), np.zeros(3))[0].shape == (2, 3)


def test_the_oracle_process_holds_nothing_of_the_grader():
    """Found by an attacker: the oracle ran as the grader (root, every capability, the
    grader's environment, the repository as its directory). Now: its own uid, no new
    privileges, the sandbox's system-call filter, a scrubbed environment, / as its cwd."""
    os.environ["KIT_TEST_SECRET"] = "do-not-pass"
    try:
        for process in list(oracle_mod._started):
            process.close()
        oracle_mod._local.__dict__.clear()
        pid = oracle_process("rnn").process.pid
    finally:
        del os.environ["KIT_TEST_SECRET"]
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines())
    assert fields["NoNewPrivs"].strip() == "1"
    if os.geteuid() == 0:
        assert fields["Uid"].split()[0] != "0"
        assert b"do-not-pass" not in Path(f"/proc/{pid}/environ").read_bytes()
        assert os.readlink(f"/proc/{pid}/cwd") == "/"
    if "Seccomp" in fields and oracle_confine.build() is not None:
        assert fields["Seccomp"].strip() == "2"


def test_answers_are_never_shared_between_submissions():
    """Found by an attacker: a memo of answers shared by a grading process is a channel
    between students' sandboxes (a hit is answered sooner than a miss: one student's retry
    passed a byte to another's). Each submission keeps its own."""
    case = cases("rnn", next(t.name for t in hidden_tests("rnn") if t.fallback))[0]
    first, second = (Runner("rnn", Limits(), {"cells": []}, {}) for _ in range(2))
    assert first._oracle(case).answers is first._oracle(case).answers
    assert first._oracle(case).answers is not second._oracle(case).answers


def _smallest_oracle(assignment: str, helper: str):
    """The oracle of the smallest case whose retry serves `helper`, and that case's Scale."""
    found = [(Scale.of((case.calls,)), case) for test in hidden_tests(assignment)
             if helper in test.fallback for case in cases(assignment, test.name)]
    _, case = min(found, key=lambda item: (item[0].elements, item[1].label))
    ask, bound = _asker(assignment, case)
    return (lambda *args: ask(helper, *args)), bound


def test_a_shape_in_a_cache_cannot_make_the_oracle_allocate_beyond_the_case():
    """Found by an attacker: small integers, each within the case's, multiply into a huge
    shape (a tuple in a cache, or an integer array); the oracle refuses it before running."""
    ask, bound = _smallest_oracle("char_lm", "word_embedding_backward")
    tiny = 1 + int(math.isqrt(4 * bound.elements + 1024))
    for shape in ((tiny, tiny, 2), np.array([2, 40_000_000]), np.array([tiny, tiny, 2])):
        with pytest.raises(ValueError, match="refused"):
            ask(np.ones((2, 1)), (np.zeros((1, 2), dtype=np.int64), shape))
    ask, bound = _smallest_oracle("seq2seq", "bidirectional_rnn_backward")
    bomb = (1, 2) + (bound.largest,) * 6 + (2,)
    with pytest.raises(ValueError, match="refused"):
        ask(np.zeros((1, 2, 4)), (np.ones((1, 2), bool), (), (), bomb))


def test_a_sandbox_gets_no_tolerance_computed_from_the_reference():
    """Found by an attacker: atol / rtol of a case's output is the size of the expected
    value, so the case a sandbox unpickles carries the inputs and nothing else."""
    import pickle

    from autograder.grader.sandbox import inputs_only
    from autograder.layout import ASSIGNMENTS
    for assignment in ASSIGNMENTS:
        for test in hidden_tests(assignment):
            for case in cases(assignment, test.name):
                sent = pickle.loads(pickle.dumps(inputs_only(case)))
                assert sent.tolerances == {} and sent.rtol == sent.atol == 0.0
                assert pickle.dumps(sent.calls) == pickle.dumps(case.calls)
                assert sent.outputs == case.outputs


@settings(max_examples=25, deadline=None)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=4),
       st.integers(1, 70_000))
def test_frames_split_anywhere_arrive_whole_and_in_order(payloads, chunk):
    """However the bytes are cut into writes, a Channel gives back each frame whole, in
    order, the larger payloads received straight into their own buffers."""
    from autograder.grader.protocol import Channel

    payloads = [p * 40 for p in payloads]  # up to 120 KB: past the 64 KiB read-ahead
    data = b"".join(frame(json.dumps({"n": i}).encode(), p) for i, p in enumerate(payloads))
    ours, theirs = socket.socketpair()

    def write() -> None:
        for start in range(0, len(data), chunk):
            theirs.sendall(data[start:start + chunk])
        theirs.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        channel = Channel(ours)
        for i, payload in enumerate(payloads):
            header, got = channel.receive(deadline=time.monotonic() + 10)
            assert header == {"n": i} and bytes(got) == payload
    finally:
        ours.close()
        writer.join()
