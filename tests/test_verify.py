"""`python -m autograder verify`: exit status, one-line errors, the leak check."""

from __future__ import annotations

import argparse
import copy
import dataclasses

import pytest

import autograder.mutants as mutants
from autograder.layout import source_notebook
from autograder.mutants import Mutant, catalog, find_mutant
from autograder.notebooks import HIDDEN_BEGIN, cell_source, read_notebook, solution_regions
from autograder.verify import cli
from autograder.verify.external import sample
from autograder.verify.leaks import release_leaks, secret_lines


def _args(*assignments: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args([*assignments, "--in-process-only"])


def _with_extra(monkeypatch, *extra: Mutant) -> None:
    """Add mutants to the rnn catalog, as if written in autograder/mutants/rnn.py."""
    original = catalog("rnn")
    extended = original + tuple(dataclasses.replace(m, assignment="rnn") for m in extra)

    def patched(assignment: str):
        return extended if assignment == "rnn" else catalog(assignment)

    monkeypatch.setattr(mutants, "catalog", patched)


def test_in_process_verify_of_rnn_passes_and_reports_a_table(capsys):
    assert cli.main(_args("rnn")) == 0
    out = capsys.readouterr().out
    assert "function" in out and "mutants caught" in out and "hint matched" in out
    assert "rnn_backward" in out and "mutation score" in out
    assert "machine-made mutants: " in out and "equivalent (excluded)" in out
    assert "machine-made mutants caught" in out.splitlines()[-1]
    for mutant in catalog("rnn"):
        assert f"mutant {mutant.key} does not get its hint" not in out


def test_uncatchable_mutant_makes_verify_fail(monkeypatch, capsys):
    # A "mistake" that changes nothing observable: no test can catch it.
    harmless = Mutant("rnn_step_backward", "harmless", "nothing is wrong",
                      [("db = da.sum(axis=0)", "db = np.sum(da, axis=0)")])
    _with_extra(monkeypatch, harmless)
    assert cli.main(_args("rnn")) == 1
    out = capsys.readouterr().out
    assert "mutant rnn_step_backward/harmless is not caught" in out
    assert "FAILED" in out.splitlines()[-1]


def test_stale_patch_makes_verify_fail_with_one_line(monkeypatch, capsys):
    stale = Mutant("rnn_backward", "stale", "never shown",
                   [("a line the solution no longer has", "x")])
    _with_extra(monkeypatch, stale)
    assert cli.main(_args("rnn")) == 1
    failures = [line for line in capsys.readouterr().out.splitlines() if "FAIL " in line]
    assert any("rnn_backward/stale no longer applies" in line for line in failures)


def test_thin_catalog_makes_verify_fail(monkeypatch, capsys):
    thin = tuple(m for m in catalog("rnn") if m.function != "clip_grad_norm")[:-1] + tuple(
        m for m in catalog("rnn") if m.function == "clip_grad_norm")[:3]
    monkeypatch.setattr(mutants, "catalog", lambda a: thin)
    assert cli.main(_args("rnn")) == 1
    assert "fewer than 4 mutants for clip_grad_norm (3)" in capsys.readouterr().out


def test_unknown_assignment_is_refused(capsys):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert cli.main(parser.parse_args(["nope"])) == 2
    assert "unknown assignment 'nope'" in capsys.readouterr().err


def _naive_release(source: dict) -> dict:
    """What nbgrader makes of the source: solutions stubbed, hidden tests dropped."""
    release = copy.deepcopy(source)
    for cell in release["cells"]:
        text = cell_source(cell)
        for region in solution_regions(text):
            text = text.replace(region, "raise NotImplementedError()\n")
        if HIDDEN_BEGIN in text:
            text = text[: text.index(HIDDEN_BEGIN)]
        cell["source"] = text.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "markdown" and meta.get("solution"):
            cell["source"] = "YOUR ANSWER HERE"
    return release


def test_leak_check_passes_a_clean_release_and_finds_a_pasted_solution_line():
    source = read_notebook(source_notebook("rnn"))
    checked, leaks = release_leaks(source, _naive_release(source))
    assert checked > 20 and leaks == []
    leaky = _naive_release(source)
    secret = sorted(secret_lines(source))[0]
    leaky["cells"][-1]["source"] = leaky["cells"][-1]["source"] + "\n" + secret
    assert release_leaks(source, leaky)[1] == [secret]
    checked, leaks = release_leaks(source, source)
    assert len(leaks) > checked // 2  # the unstripped source leaks nearly everything


def test_identical_mutants_are_reported_together(monkeypatch, capsys):
    twin = find_mutant("rnn", "rnn_step_backward/db_mean")
    same = Mutant("rnn_step_backward", "db_mean_again", twin.hint + " (again)",
                  [("db = da.sum(axis=0)", "db = np.mean(da, axis=0)")])
    _with_extra(monkeypatch, same)
    assert cli.main(_args("rnn")) == 0  # both get their hint, joined with "or when"
    out = capsys.readouterr().out
    assert ("rnn_step_backward/db_mean and rnn_step_backward/db_mean_again fail the same "
            "tests") in out


@pytest.mark.parametrize("count", [1, 2, 5])
def test_sample_spreads_over_functions(count):
    picked = sample(list(catalog("rnn")), count)
    assert len(picked) == count
    assert len({m.function for m in picked}) == count
