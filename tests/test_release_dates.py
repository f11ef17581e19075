"""The release command ships an earlier solution only after that assignment's deadline."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder import release as release_module
from autograder.layout import ASSIGNMENTS
from autograder.release import (
    DUE_DATES_FILE,
    ReleaseRefused,
    last_deadline,
    parse_when,
    refusal,
)

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)


def _dates(root: Path, entries: dict) -> None:
    (root / DUE_DATES_FILE).write_text(json.dumps(entries), encoding="utf-8")


def test_the_first_assignment_ships_no_earlier_solution(tmp_path):
    assert refusal("rnn", tmp_path, NOW) is None


def test_an_unset_due_date_refuses(tmp_path):
    message = refusal("lstm", tmp_path, NOW)
    assert message is not None and "\n" not in message
    assert "rnn_layers.py" in message and "no due date" in message and "--force" in message


def test_a_future_due_date_refuses_and_a_past_one_releases(tmp_path):
    _dates(tmp_path, {"rnn": {"due": "2025-03-11T23:59:00+00:00"}})
    message = refusal("lstm", tmp_path, NOW)
    assert message and "--force" in message
    assert "rnn can still be handed in until 2025-03-" in message
    _dates(tmp_path, {"rnn": {"due": "2025-03-09T23:59:00Z"}})
    assert refusal("lstm", tmp_path, NOW) is None


def test_one_students_extension_keeps_the_solution_back(tmp_path):
    _dates(tmp_path, {"rnn": {"due": "2025-03-01T23:59Z",
                              "extensions": {"late_student": "2025-03-12T23:59Z"}}})
    assert last_deadline("rnn", tmp_path) == datetime(2025, 3, 12, 23, 59, tzinfo=timezone.utc)
    assert "rnn can still be handed in until" in (refusal("lstm", tmp_path, NOW) or "")


def test_char_lm_needs_both_earlier_deadlines_past(tmp_path):
    _dates(tmp_path, {"rnn": {"due": "2025-02-01"}, "lstm": {"due": "2025-04-01"}})
    assert refusal("lstm", tmp_path, NOW) is None
    assert "lstm_layers.py" in (refusal("char_lm", tmp_path, NOW) or "")


def test_a_date_alone_means_the_end_of_that_day():
    when = parse_when("2025-03-10")
    assert (when.hour, when.minute) == (23, 59) and when.tzinfo is not None
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_when("next friday")


def test_a_broken_dates_file_is_one_clear_line(tmp_path):
    _dates(tmp_path, {"rnn": {"due": "soon"}})
    with pytest.raises(ReleaseRefused, match=f"{DUE_DATES_FILE}: rnn: 'soon' is not"):
        refusal("lstm", tmp_path, NOW)


# nbgrader's own add_submission triggers a harmless SQLAlchemy autoflush warning
@pytest.mark.filterwarnings("ignore:Object of type <SubmittedAssignment> not in session")
def test_the_gradebook_due_date_and_extensions_count(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    # nbgrader creates a gradebook by running `alembic`, installed next to this Python
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    due = datetime(2025, 3, 1, 23, 59)  # nbgrader stores naive UTC
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment("rnn", duedate=due)
        gradebook.add_student("late_student")
        submission = gradebook.add_submission("rnn", "late_student")
        submission.extension = timedelta(days=10)
        gradebook.db.commit()
    assert last_deadline("rnn", tmp_path) == datetime(2025, 3, 11, 23, 59, tzinfo=timezone.utc)
    assert "rnn can still be handed in until" in (refusal("lstm", tmp_path, NOW) or "")
    assert refusal("lstm", tmp_path, NOW + timedelta(days=2)) is None


# (nbgrader's own add_submission warns from SQLAlchemy's autoflush here)
@pytest.mark.filterwarnings("ignore:Object of type <SubmittedAssignment> not in session")
def test_an_unchanged_gradebook_is_read_once(tmp_path, monkeypatch):
    """Reading it means importing nbgrader (about 2.5 s): the answer is kept by content."""
    from nbgrader.api import Gradebook

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(release_module, "DEADLINES_CACHE", tmp_path / "kept")
    reads = []
    real_read = release_module._read_gradebook

    def counted(root, assignment):
        reads.append(assignment)
        return real_read(root, assignment)

    monkeypatch.setattr(release_module, "_read_gradebook", counted)
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.update_or_create_assignment("rnn", duedate=datetime(2025, 3, 1, 23, 59))
        gradebook.add_student("late_student")
        submission = gradebook.add_submission("rnn", "late_student")
        submission.extension = timedelta(days=10)
        gradebook.db.commit()
    read = release_module._gradebook_deadlines
    first = read(tmp_path, "rnn")
    assert first[0] == datetime(2025, 3, 1, 23, 59, tzinfo=timezone.utc)
    assert read(tmp_path, "rnn") == first and read(tmp_path, "lstm") == (None, {})
    assert reads == ["rnn", "lstm"]
    with Gradebook(url) as gradebook:
        gradebook.find_assignment("rnn").duedate = datetime(2025, 3, 2, 23, 59)
        gradebook.db.commit()
    assert read(tmp_path, "rnn")[0] == datetime(2025, 3, 2, 23, 59, tzinfo=timezone.utc)
    assert reads == ["rnn", "lstm", "rnn"]
    for kept in (tmp_path / "kept").iterdir():
        kept.write_text("[1, 2]", encoding="utf-8")  # a damaged copy: read again
    assert read(tmp_path, "rnn")[1] == {
        "late_student": datetime(2025, 3, 12, 23, 59, tzinfo=timezone.utc)}
    assert reads == ["rnn", "lstm", "rnn", "rnn"]


def _run(monkeypatch, capsys, argv: list[str]) -> tuple[int, list[str], str]:
    """Run the command's `main` with the real checks and a release that writes nothing."""
    released: list[str] = []
    monkeypatch.setattr(release_module, "release",
                        lambda a: (released.append(a), release_module.REPO_ROOT / "r" / a)[1])
    monkeypatch.setattr(release_module, "refusal",
                        lambda a: None if a == "rnn" else f"{a} ships the rnn solution")
    parser = argparse.ArgumentParser()
    release_module.add_arguments(parser)
    code = release_module.main(parser.parse_args(argv))
    return code, released, capsys.readouterr().err


def test_the_command_refuses_in_one_line_before_releasing_anything(monkeypatch, capsys):
    code, released, err = _run(monkeypatch, capsys, [])
    assert code == 2 and released == []
    assert err == "error: lstm ships the rnn solution\n"


def test_force_releases_everything(monkeypatch, capsys):
    code, released, err = _run(monkeypatch, capsys, ["--force"])
    assert code == 0 and released == list(ASSIGNMENTS) and err == ""
    code, released, _ = _run(monkeypatch, capsys, ["rnn"])
    assert code == 0 and released == ["rnn"]
