"""`python -m autograder similarity`: planted copies rank first, honest work stays low, and
nothing a student controls breaks or leaks into the report."""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil

import numpy as np
import pytest
import similarity_class as synthetic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import similarity as sim
from autograder.grader.batch import release_notebook

pytest.importorskip("copydetect")


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> dict:
    return release_notebook("rnn", tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def small(release, tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    synthetic.small_class(folder, release)
    out = tmp_path_factory.mktemp("report")
    return sim.similarity("rnn", folder, out, release=release, min_score=0.0), out


def _key(pair: sim.Pair) -> frozenset:
    return frozenset((pair.a.student_id, pair.b.student_id))


def test_planted_copies_rank_first_and_honest_pairs_stay_low(small):
    result, _ = small
    ranked = [_key(p) for p in result.pairs]
    planted = synthetic.PLANTED_PAIRS
    assert set(ranked[:len(planted)]) == planted, ranked[:6]
    for pair in result.pairs:
        if _key(pair) in planted:
            assert pair.score >= 0.9, (_key(pair), pair.score)
        else:
            assert pair.score < sim.THRESHOLD / 2, (_key(pair), pair.score)
    honest = set(synthetic.HONEST)
    assert any(_key(p) <= honest for p in result.pairs)  # they were compared, and are low


def test_blank_short_broken_and_missing_are_one_line_notes(small):
    result, _ = small
    notes = {n.split(":")[0]: n for n in result.notes}
    assert set(notes) == {"blank", "short", "broken", "nothing"}
    assert "trivially short" in notes["blank"] and "trivially short" in notes["short"]
    assert "invalid notebook" in notes["broken"] and "missing" in notes["nothing"]
    assert all("\n" not in n for n in result.notes)
    assert result.compared == len(synthetic.HONEST) + len(synthetic.planted())


def test_the_starter_code_never_counts(small):
    result, _ = small
    for student in result.students:
        assert '"""' not in student.code and "NotImplementedError" not in student.code
        assert "def rnn_" not in student.code


def test_report_and_csv(small):
    result, out = small
    page = (out / "similarity.html").read_text(encoding="utf-8")
    top = result.pairs[0]
    assert 'id="pair-1"' in page and "<mark>" in page and "addEventListener" in page
    with open(out / "similarity.csv", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    assert len(rows) == len(result.pairs)
    assert {rows[0]["student_a"], rows[0]["student_b"]} == _key(top)
    assert rows[0]["flagged"] == "yes" and float(rows[0]["score"]) >= 0.9


def test_the_command_line(release, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "class"
    synthetic.small_class(folder, release)
    monkeypatch.setattr("autograder.grader.batch.release_notebook", lambda *a: release)
    args = argparse.Namespace(submissions=folder, assignment="rnn", out=tmp_path / "out",
                              threshold=sim.THRESHOLD, min_score=sim.MIN_SCORE, top=10)
    assert sim.main(args) == 0
    printed = capsys.readouterr().out
    assert "4 flagged" in printed and "note: broken: invalid notebook" in printed
    missing = argparse.Namespace(**{**vars(args), "submissions": tmp_path / "nope"})
    assert sim.main(missing) == 2


@given(st.lists(st.frozensets(st.integers(0, 40), max_size=30), min_size=0, max_size=12))
def test_the_screening_product_counts_shared_fingerprints(sets):
    counts = sim.shared_counts([set(s) for s in sets])
    for i, a in enumerate(sets):
        for j, b in enumerate(sets):
            if i != j:
                assert counts[i, j] == len(a & b)


NAMES = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
                min_size=1, max_size=20).filter(
    lambda n: n not in (".", "..") and not n.startswith((".", "__MACOSX"))
    and len(n.encode()) < 200)
HOSTILE = ["</pre><script>alert(1)</script>", "=HYPERLINK(\"x\")", "\x1b[31m", "\u202e",
           "@SUM(A1)", "<mark>", "&amp;", "\r"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=2, max_size=4, unique_by=lambda n: n.casefold()),
       payload=st.lists(st.sampled_from(HOSTILE) | st.text(max_size=12), max_size=6),
       garbage=st.binary(max_size=200))
def test_odd_names_and_contents_never_break_the_report(release, tmp_path_factory, names,
                                                       payload, garbage):
    folder = tmp_path_factory.mktemp("odd")
    out = tmp_path_factory.mktemp("odd-report")
    text = "".join(payload)
    body = (synthetic.HONEST["bo"]["rnn_backward"]
            + f"\nnote = {json.dumps(text)}  # {text.splitlines()[0] if text.strip() else ''}"
            + f"\n{text!r}\nlabel = {text!r}")
    for name in names[:-1]:  # the same odd code: a pair that is shown with its code
        synthetic.write(folder, name, synthetic.notebook(release, {"rnn_backward": body}))
    synthetic.write(folder, names[-1], garbage)
    result = sim.similarity("rnn", folder, out, release=release, log=lambda _: None)
    assert len(result.students) == len(names)
    page = (out / "similarity.html").read_text(encoding="utf-8")
    for hostile in ("<script>alert", "\x1b", "\u202e", "\r"):
        assert hostile not in page
    assert page.count("<script>") == 1
    with open(out / "similarity.csv", encoding="utf-8", newline="") as source:
        raw = source.read()
    assert "\x1b" not in raw and "\u202e" not in raw
    for row in csv.reader(raw.splitlines()):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    if len(names) > 2:
        assert result.pairs and result.pairs[0].score == pytest.approx(1.0)


def test_hundreds_of_students_in_seconds(release, tmp_path):
    """A smaller cousin of the measured run (200 students) to keep an eye on the cost."""
    folder = tmp_path / "class"
    synthetic.large_class(folder, release, 40)
    result = sim.similarity("rnn", folder, tmp_path / "out", release=release)
    assert result.compared == 40 and result.screened == 40 * 39 // 2
    assert sum(result.seconds.values()) < 30
    flagged = [p for p in result.pairs if p.score >= sim.THRESHOLD]
    assert flagged and np.all(np.diff([p.score for p in result.pairs]) <= 1e-12)
    shutil.rmtree(folder)


def test_a_renamed_copy_is_highlighted_in_both_codes(small):
    result, out = small
    page = (out / "similarity.html").read_text(encoding="utf-8")
    section = page.split('id="pair-1"')[1].split('id="pair-2"')[0]
    assert len(re.findall("<mark>", section)) >= 2
