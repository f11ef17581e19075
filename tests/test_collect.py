"""Finding the students: a folder the instructor passes, or a .zip of one, gives exactly
one row per student folder; a single wrapping folder (an LMS export's) is looked through
only when it can hold nothing of a student's own, and a warning says so every time."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograder.grader.collect import collect, open_submissions
from autograder.grader.neutral import visible
from autograder.grader.zipsafe import hidden, is_wrapper

NOTEBOOK = b"{}"


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def _open(tmp_path: Path, files: dict[str, bytes], zipped: bool
          ) -> tuple[dict[str, str | None], list[str]]:
    """Rows (student id -> the graded notebook, relative to the student) and warnings."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = (_zip(tmp_path / "export.zip", files) if zipped
              else _tree(tmp_path / "subs", files))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    found, warnings = open_submissions(source, scratch, "rnn")
    rows = {}
    for item in found:
        notebook = None
        if item.notebook is not None:
            folder = item.notebook.parent
            while folder.name != item.student_id:
                folder = folder.parent
            notebook = item.notebook.relative_to(folder).as_posix()
        rows[item.student_id] = notebook
    return rows, warnings


def _looked_through(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "looked through" in w]


# A class of one whose folder has sub-folders of its own: one row, that student's.
@pytest.mark.parametrize("zipped", [False, True])
@pytest.mark.parametrize("files", [
    {"alice/rnn.ipynb": NOTEBOOK, "alice/notes/x.txt": b"x", "alice/data/y.csv": b"y"},
    {"alice/rnn.ipynb": NOTEBOOK, "alice/bob/rnn.ipynb": NOTEBOOK, "alice/notes/x.txt": b"x"},
    {"alice/rnn/rnn.ipynb": NOTEBOOK},                    # nbgrader's layout
])
def test_a_class_of_one_with_subfolders_is_one_row(tmp_path, files, zipped):
    rows, warnings = _open(tmp_path, files, zipped)
    assert list(rows) == ["alice"]
    assert rows["alice"] in ("rnn.ipynb", "rnn/rnn.ipynb")
    assert _looked_through(warnings) == []


@pytest.mark.parametrize("zipped", [False, True])
def test_a_folder_of_its_own_files_is_never_looked_through_on_disk(tmp_path, zipped):
    """On disk, any file of its own makes the lone folder a student (an archive's wrapper
    may hold the export's files, such as submission_times.csv, but never a notebook)."""
    files = {"alice/bob/rnn.ipynb": NOTEBOOK, "alice/notes/x.txt": b"x",
             "alice/README.md": b"mine"}
    rows, warnings = _open(tmp_path, files, zipped)
    if zipped:
        assert set(rows) == {"bob", "notes"}
        assert len(_looked_through(warnings)) == 1 and "alice" in warnings[0]
    else:
        assert list(rows) == ["alice"] and rows["alice"] == "bob/rnn.ipynb"
        assert _looked_through(warnings) == []


@pytest.mark.parametrize("zipped", [False, True])
@pytest.mark.parametrize("files, rows", [
    ({"alice/bob/rnn.ipynb": NOTEBOOK, "alice/notes/x.txt": b"x"},
     {"bob": "rnn.ipynb", "notes": None}),
    ({"alice/rnn/rnn.ipynb": NOTEBOOK, "alice/notes/x.txt": b"x", "alice/data/": b""},
     {"rnn": "rnn.ipynb", "notes": None, "data": None}),
])
def test_a_lone_folder_of_folders_is_looked_through_with_a_warning(tmp_path, files, rows,
                                                                   zipped):
    """A lone `alice` holding only folders cannot be told from an LMS export of them
    (tests/test_untrusted_inputs.py: a class in `export/` on disk is looked through, a
    student may be called like the assignment): looked through, and the warning names
    alice; any file beside alice makes it one student."""
    found, warnings = _open(tmp_path, files, zipped)
    assert found == rows
    looked = _looked_through(warnings)
    assert len(looked) == 1 and looked[0].startswith("alice looked through")
    found, warnings = _open(tmp_path / "beside", {**files, "README": b"class of one"}, zipped)
    assert list(found) == ["alice"] and found["alice"] in ("bob/rnn.ipynb", "rnn/rnn.ipynb")
    assert _looked_through(warnings) == []


@pytest.mark.parametrize("zipped", [False, True])
def test_a_normal_lms_export_with_a_wrapping_folder(tmp_path, zipped):
    files = {"export/alice/rnn.ipynb": NOTEBOOK, "export/bob/rnn/rnn.ipynb": NOTEBOOK,
             "export/carol/notes.txt": b"no notebook", "export/rnn/rnn.ipynb": NOTEBOOK,
             "export/.DS_Store": b"", "export/__MACOSX/alice/._rnn.ipynb": b""}
    if zipped:
        files["export/submission_times.csv"] = b"alice,2025-03-07T10:00Z\n"
    rows, warnings = _open(tmp_path, files, zipped)
    assert rows == {"alice": "rnn.ipynb", "bob": "rnn/rnn.ipynb", "carol": None,
                    "rnn": "rnn.ipynb"}
    looked = _looked_through(warnings)
    assert len(looked) == 1 and looked[0].startswith("export looked through")
    # an export of one student: its single folder is looked through too, and said
    rows, warnings = _open(tmp_path / "one", {"export/alice/rnn.ipynb": NOTEBOOK}, zipped)
    assert rows == {"alice": "rnn.ipynb"} and len(_looked_through(warnings)) == 1


@pytest.mark.parametrize("zipped", [False, True])
def test_a_notebook_in_the_lone_folder_makes_it_a_student(tmp_path, zipped):
    files = {"export/alice/rnn.ipynb": NOTEBOOK, "export/bob/rnn.ipynb": NOTEBOOK,
             "export/other.ipynb": NOTEBOOK}
    rows, warnings = _open(tmp_path, files, zipped)
    assert list(rows) == ["export"] and _looked_through(warnings) == []


def test_several_top_folders_are_never_looked_through(tmp_path):
    files = {"alice/x/rnn.ipynb": NOTEBOOK, "alice/y/z": b"", "bob/rnn.ipynb": NOTEBOOK}
    for zipped in (False, True):
        rows, warnings = _open(tmp_path / str(zipped), files, zipped)
        assert rows == {"alice": "x/rnn.ipynb", "bob": "rnn.ipynb"}
        assert _looked_through(warnings) == []


def test_the_wrapper_rule():
    both = (False, True)
    assert all(is_wrapper({"a": True, "b": True}, "rnn", archive=a) for a in both)
    assert all(is_wrapper({"a": True}, "rnn", archive=a) for a in both)
    assert not any(is_wrapper({"rnn": True}, "rnn", archive=a) for a in both)
    assert not any(is_wrapper({"x.ipynb": True}, "rnn", archive=a) for a in both)
    assert not any(is_wrapper({}, "rnn", archive=a) for a in both)
    assert not any(is_wrapper({"a": True, "b": True, "rnn.ipynb": False}, "rnn", archive=a)
                   for a in both)
    assert not is_wrapper({"a": True, "b": True, "times.csv": False}, "rnn", archive=False)
    assert is_wrapper({"a": True, "b": True, "times.csv": False}, "rnn", archive=True)
    assert not is_wrapper({"a": True, "times.csv": False}, "rnn", archive=True)


# Hostile folder names: whatever the names, one row per folder, and the warning is one
# neutral line naming the folder looked through.
names = st.binary(min_size=1, max_size=40).filter(
    lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b".."))


def _clean_line(text: str) -> bool:
    return text.isprintable()   # no control, format or line-break characters


@settings(max_examples=60, deadline=None)
@given(names, st.lists(names, min_size=2, max_size=5, unique=True),
       st.sampled_from(["several", "own file", "wrapper"]))
def test_hostile_folder_names_on_disk(wrapper, children, layout):
    top, ids = os.fsdecode(wrapper), [os.fsdecode(c) for c in children]
    assume(not hidden(top) and not any(hidden(i) for i in ids) and b"README" not in children)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(os.fsencode(tmp), b"subs")
        parent = root if layout == "several" else os.path.join(root, wrapper)
        for child in children:
            os.makedirs(os.path.join(parent, child))
            with open(os.path.join(parent, child, b"rnn.ipynb"), "wb") as sink:
                sink.write(NOTEBOOK)
        if layout == "own file":
            with open(os.path.join(parent, b"README"), "wb") as sink:
                sink.write(b"x")
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        found, warnings = open_submissions(Path(os.fsdecode(root)), scratch, "rnn")
        rows = sorted(f.student_id for f in found)
        assert rows == ([top] if layout == "own file" else sorted(ids))
        assert all(_clean_line(w) for w in warnings)
        looked = _looked_through(warnings)
        if layout == "wrapper":
            assert len(looked) == 1 and looked[0].startswith(f"{visible(top)} looked through")
        else:
            assert looked == []
        assert len({f.safe_id.casefold() for f in found}) == len(found)


zip_names = st.text(min_size=1, max_size=30).filter(
    lambda n: "/" not in n and "\0" not in n and n not in (".", "..") and not hidden(n)
    and n[1:2] != ":" and "\\" not in n)


@settings(max_examples=60, deadline=None)
@given(zip_names, st.lists(zip_names, min_size=2, max_size=5, unique=True),
       st.sampled_from(["several", "own notebook", "wrapper", "wrapper with a file"]))
def test_hostile_folder_names_in_an_archive(wrapper, children, layout):
    assume(not {"rnn.ipynb", "submission_times.csv"} & set(children))
    prefix = "" if layout == "several" else wrapper + "/"
    files = {f"{prefix}{child}/rnn.ipynb": NOTEBOOK for child in children}
    if layout == "own notebook":
        files[f"{prefix}rnn.ipynb"] = NOTEBOOK
    if layout == "wrapper with a file":
        files[f"{prefix}submission_times.csv"] = b""
    with tempfile.TemporaryDirectory() as tmp:
        rows, warnings = _open(Path(tmp), files, zipped=True)
    assert sorted(rows) == ([wrapper] if layout == "own notebook" else sorted(children))
    assert all(_clean_line(w) for w in warnings)
    looked = _looked_through(warnings)
    if layout.startswith("wrapper"):
        assert len(looked) == 1 and looked[0].startswith(f"{visible(wrapper)} looked through")
    else:
        assert looked == []


def test_collect_alone_looks_through_the_same_folders(tmp_path):
    """`collect` (what similarity and grading share) agrees with open_submissions."""
    _tree(tmp_path, {"export/alice/rnn.ipynb": NOTEBOOK, "export/bob/rnn.ipynb": NOTEBOOK})
    assert [f.student_id for f in collect(tmp_path, "rnn")] == ["alice", "bob"]
    (tmp_path / "export" / "index.html").write_bytes(b"")
    assert [f.student_id for f in collect(tmp_path, "rnn")] == ["export"]
