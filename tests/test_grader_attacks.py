"""The adversarial corpus (tests/attacks/) and good submissions, graded in one batch.

Every attack must score exactly what its honest part deserves, with the expected status,
while the good submissions next to it get full marks; nothing may escape the sandbox.
"""

from __future__ import annotations

import csv
import json
import re
import socket
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from autograder import suite
from autograder.course import solution_submission
from autograder.grader import format_table, grade
from autograder.grader.batch import release_notebook
from autograder.grader.zygote import Limits

sys.path.insert(0, str(Path(__file__).parent / "attacks"))
import corpus  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "kit-grader-test-cache"
GOOD = ("good_1", "good_2")
TIMEOUT = 8


def _listener(connections: list) -> socket.socket | None:
    """A TCP server on the host's loopback that the network attack tries to reach."""
    server = socket.socket()
    try:
        server.bind(("127.0.0.1", 47913))
    except OSError:
        return None
    server.listen()
    server.settimeout(0.5)

    def accept() -> None:
        while server.fileno() != -1:
            try:
                connections.append(server.accept())
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    release = release_notebook("rnn", CACHE)
    attacks = corpus.build(root / "subs", release)
    good = json.dumps(solution_submission(release, "rnn"))
    for name in GOOD:
        (root / "subs" / name).mkdir()
        (root / "subs" / name / "rnn.ipynb").write_text(good)
    connections: list = []
    server = _listener(connections)
    try:
        records = grade("rnn", root / "subs", root / "out", workers=2, timeout=TIMEOUT,
                        memory_mb=256, progress=False, log=lambda *a: None)
    finally:
        if server is not None:
            server.close()
    return attacks, {r.student_id: r for r in records}, root, connections, server is not None


def test_corpus_is_large_enough(graded):
    attacks, *_ = graded
    assert len(attacks) >= 55


def test_good_submissions_get_full_marks(graded):
    _, records, *_ = graded
    for name in GOOD:
        assert records[name].status == "graded"
        assert records[name].score == records[name].max_score > 0


def test_every_attack_scores_what_its_honest_part_deserves(graded):
    attacks, records, *_ = graded
    tests = suite.tests_for("rnn")
    wrong = []
    for attack in attacks:
        record = records[attack.student]
        got = {t.name: t.score for t in record.tests}
        expected = corpus.expected_scores(attack, tests)
        status = attack.get("STATUS", "graded")
        bad = {n: (got.get(n), v) for n, v in expected.items() if got.get(n) != v}
        if bad or not record.status.startswith(status):
            wrong.append((attack.name, record.status, status, bad))
    assert not wrong


def test_one_row_per_student_and_nothing_written_by_attackers(graded):
    attacks, records, root, *_ = graded
    with open(root / "out" / "grades.csv", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    ids = [row["student_id"] for row in rows]
    assert len(ids) == len(set(ids)) == len(attacks) + len(GOOD)
    assert "'=SUM(1+1)*cmd" in ids  # a formula-looking id is neutralised, not evaluated
    assert "Zoë Ünïcode .. name" in ids
    results = sorted(p.stem for p in (root / "out" / "results").iterdir())
    assert results == sorted(r.safe_id for r in records.values())
    assert "write_outputs" not in {p.name for p in (root / "out" / "results").iterdir()
                                   if p.suffix == ".json" and "100" in p.read_text()[:20]}


def test_no_daemon_survives(graded):
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            assert comm.read_text().strip() != "kitdaemon"
        except OSError:
            continue


def test_network_is_unreachable(graded):
    *_, connections, listening = graded
    if not listening:
        pytest.skip("port 47913 busy")
    assert connections == []


def test_feedback_shows_no_test_or_solution_code_and_escapes_ids(graded):
    _, records, root, *_ = graded
    for record in records.values():
        page = (root / "out" / "feedback" / f"{record.safe_id}.html").read_text()
        assert "run_test(" not in page and "### BEGIN" not in page
        assert "np.tanh" not in page and "Call(" not in page
    page = (root / "out" / "feedback" / f"{records['=SUM(1+1)*cmd'].safe_id}.html").read_text()
    assert "=SUM(1+1)*cmd" in page
    assert "<script" not in page


def test_a_submission_costs_at_most_its_wall_clock_budget(graded):
    _, records, *_ = graded
    budget = Limits(timeout=TIMEOUT).cpu_seconds
    record = records["hanging_cells"]
    assert record.status == "timeout"
    assert record.execution_time < budget + 2 * TIMEOUT, record.execution_time


def test_no_sandbox_process_survives_the_batch(graded):
    left = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid = int(next(line for line in status.read_text().splitlines()
                           if line.startswith("Uid:")).split()[1])
        except (OSError, StopIteration, ValueError):
            continue
        if uid >= 1_000_000:  # the sandboxes' own unprivileged uids
            left.append(status.parent.name)
    assert not left


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def test_no_student_text_reaches_a_report_raw(graded):
    _, records, root, *_ = graded
    out = root / "out"
    with open(out / "grades.csv", encoding="utf-8", newline="") as source:
        for row in csv.reader(source):
            for cell in row:
                assert not CONTROL.search(cell), cell
                assert cell.lstrip()[:1] not in ("=", "+", "@") or cell.startswith("'"), cell
    for path in (out / "feedback").iterdir():
        text = path.read_bytes().decode("utf-8")  # valid UTF-8, or this raises
        assert not CONTROL.search(text.replace("\n", " ").replace("\t", " ")), path.name
    for path in (out / "results").iterdir():
        for text in _strings(json.loads(path.read_bytes().decode("utf-8"))):
            assert not CONTROL.search(text.replace("\n", " ").replace("\t", " ")), path.name
    table = format_table(records.values())
    assert not CONTROL.search(table.replace("\n", " ")), table
