"""Machine-made mutants: the operators, the sample, and caught / equivalent / survivor."""

from __future__ import annotations

import ast

from autograder.solutions import solution_sources
from autograder.verify import machine
from autograder.verify.operators import OPERATORS, MachineMutant, mutate

TOY = '''def f(x, W, b, H):
    """Docstring: (a + b) is not mutated here."""
    a = x @ W.T + b
    g = sigmoid(a[:, :H])
    h = np.tanh(a[:, H:2 * H]) * (1 - g ** 2) * g * (1 - g)
    out = np.zeros((3, 4), dtype=x.dtype)
    total = 0.0
    for t in range(H):
        total = total + out[:, t].sum(axis=0) + h[0]
    return out.copy(), total, h.astype(np.float32)
'''


def test_every_operator_applies_to_a_toy_function_and_leaves_the_docstring_alone():
    mutants = mutate("f", TOY)
    assert {m.operator for m in mutants} == set(OPERATORS)
    for mutant in mutants:
        tree = ast.parse(mutant.source)
        assert ast.get_docstring(tree.body[0]) == "Docstring: (a + b) is not mutated here."
        assert mutant.source != ast.unparse(ast.parse(TOY))
    assert len({m.source for m in mutants}) == len(mutants)


def test_typical_slips_are_among_the_mutants():
    sources = [" ".join(m.source.split()) for m in mutate("f", TOY)]
    assert any("a = x @ W + b" in s for s in sources)  # transpose dropped
    assert any("a = x @ W.T\n" in m.source for m in mutate("f", TOY))  # bias term dropped
    assert any("np.tanh(a[:, :H])" in s for s in sources)  # sigmoid -> tanh
    assert any("range(H - 1)" in s for s in sources)  # off by one
    assert any("np.ones((3, 4)" in s for s in sources)  # initial value
    assert any("return (out," in s or "return out," in s for s in sources)  # copy dropped
    assert any("a[:, H:H + H]" in s or "a[:, 2 * H:2 * H + H]" in s for s in sources)


def test_the_sample_is_deterministic_and_capped():
    made = mutate("lstm_step_backward", solution_sources("lstm")["lstm_step_backward"])
    first = machine.sample(made, 10, "lstm/lstm_step_backward")
    assert len(first) == 10 and first == machine.sample(made, 10, "lstm/lstm_step_backward")
    assert machine.sample(made, 1000, "x") == made


def _mutant(function: str, old: str, new: str, assignment: str = "rnn") -> MachineMutant:
    source = solution_sources(assignment)[function]
    assert source.count(old) == 1
    return MachineMutant(function, "test", 0, f"{old} -> {new}", source.replace(old, new))


def test_a_wrong_mutant_is_caught_with_the_failing_tests_message():
    result = machine.grade_machine_mutant(
        "rnn", _mutant("rnn_step_backward", "db = da.sum(axis=0)", "db = da.mean(axis=0)"))
    assert result.status == "caught" and "db" in result.reason


def test_an_equivalent_mutant_is_excluded():
    result = machine.grade_machine_mutant(
        "rnn", _mutant("rnn_forward", "h = np.empty(", "h = np.ones("))
    assert result.status == "equivalent"


def test_a_mutant_the_hidden_tests_miss_is_a_survivor(monkeypatch):
    # Without the dtype tests, a forward that always returns float64 passes every test,
    # but fresh inputs (float32 ones among them) show the difference.
    tests = [t for t in machine.tests_for("rnn") if not t.name.endswith("_dtype")]
    monkeypatch.setattr(machine, "tests_for", lambda assignment: tests)
    mutant = _mutant("rnn_forward", "dtype=np.result_type(x, h0, Wx, Wh, b)", "dtype=float")
    result = machine.grade_machine_mutant("rnn", mutant)
    assert result.status == "survivor"
    assert "dtype" in result.reason and "fresh inputs" in result.reason
    monkeypatch.undo()
    assert machine.grade_machine_mutant("rnn", mutant).status == "caught"


def test_at_least_95_percent_of_non_equivalent_machine_mutants_are_caught():
    # (`verify`, in `make test`, checks every assignment; here the quickest one.)
    found = machine.machine_report("rnn")
    caught, counted = found.score()
    assert counted > 0 and caught >= 0.95 * counted, [
        (r.mutant.key, r.reason) for r in found.results if r.status == "survivor"]


def test_a_forward_whose_cache_is_wrong_is_blamed_in_its_backwards_tests():
    # next_h is right, but the cache hands prev_h over in x's place: the backward's tests
    # see right forward values, wrong gradients, right gradients with the reference
    # forward, and blame the cache (instead of crediting the backward).
    mutant = _mutant("rnn_step_forward", "cache = (x, prev_h,", "cache = (prev_h, x,")
    result = machine.grade_machine_mutant("rnn", mutant)
    assert result.status == "caught"
    assert "rnn_step_backward" in result.reason
    assert "the cache it returns does not give rnn_step_backward what it needs" in result.reason
