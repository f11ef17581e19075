"""The oracle's wire format: what a sandbox sends is rebuilt only as plain values."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder import wire

DTYPES = st.sampled_from(["<f8", "<f4", "<i8", "<i4", "<u1", "|b1", "<f2"])
ARRAYS = DTYPES.flatmap(lambda d: hnp.arrays(np.dtype(d), hnp.array_shapes(min_dims=0, max_dims=3,
                                                                           min_side=0, max_side=4)))
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                   st.text(max_size=20), ARRAYS)
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.text(max_size=5), inner, max_size=4)), max_leaves=20)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=True))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_plain_values_round_trip_exactly(value):
    tree, data, *_ = wire.encode(value)
    tree = json.loads(json.dumps(tree))  # it crosses the socket as JSON
    assert _same(value, wire.decode(tree, data))


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["a", "s", "g", "i", "f", "l", "k", "v", "x"]), inner,
                                max_size=5)),
    max_leaves=30)
KINDS = st.sampled_from(["a", "g", "i", "f", "l", "k", "v", "s", "other"])
TREE_DTYPES = st.sampled_from(["<f8", ">f8", "|b1", "O", "V8", "<U3", "M8", "[('a','<f8')]",
                               "(2,)f8", "zz", "<c16"])


@st.composite
def _trees(draw):
    tree = draw(JSONISH)
    if draw(st.booleans()):
        kinds = draw(st.lists(KINDS, min_size=1, max_size=2, unique=True))
        shapes = st.lists(st.integers(-2, 2**40), max_size=4)
        values = {"a": TREE_DTYPES, "g": TREE_DTYPES, "s": shapes}
        tree = {kind: draw(values.get(kind, JSONISH)) for kind in kinds}
    return tree


@settings(max_examples=400, deadline=None)
@given(_trees(), st.binary(max_size=64))
# (a zero keeps the element count at 0; the other dimensions must still be bounded)
@example({"a": "<f8", "s": [0, 10_000_000, 10_000_000, 10_000_000]}, b"")
def test_anything_else_is_refused_with_a_wire_error(tree, data):
    try:
        value = wire.decode(tree, data)
    except wire.WireError:
        return
    # Whatever decodes is made of plain values only.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, np.ndarray):
            assert type(item) is np.ndarray and item.dtype.kind in "biuf"
        else:
            assert item is None or isinstance(item, (bool, int, float, str, np.generic))


def test_deep_nesting_and_huge_arrays_are_refused():
    deep: object = None
    for _ in range(10_000):
        deep = {"l": [deep]}
    for tree, data in ((deep, b""),
                       ({"a": "<f8", "s": [2**20, 2**20]}, b""),
                       ({"i": "9" * 100_000}, b""),
                       ("x" * 100_000, b""),
                       ({"a": "<f8", "s": [2]}, b"\0" * 15)):
        try:
            wire.decode(tree, data)
        except wire.WireError:
            continue
        raise AssertionError(f"accepted {str(tree)[:60]}")


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_the_measure_taken_while_decoding_is_the_oracles_scale(value):
    from autograder.grader.runner import Scale
    tree, data, elements, _ = wire.encode(value)
    decoded, measure, _ = wire.decode_measured(json.loads(json.dumps(tree)), data)
    assert Scale(*measure) == Scale.of(decoded)
    assert elements == measure.elements


@settings(max_examples=100, deadline=None)
@given(st.lists(ARRAYS, min_size=1, max_size=4), st.lists(st.integers(0, 3), max_size=12))
def test_an_array_met_again_is_sent_once_and_rebuilt_as_one_object(arrays, picks):
    from autograder.grader.runner import Scale
    # a step cache: the same weights at every step, each step's output the next one's input
    value = [tuple(arrays[i % len(arrays)] for i in picks[j:j + 3]) for j in range(len(picks))]
    tree, data, elements, _ = wire.encode(value)
    assert len(data) == sum(a.nbytes for a in arrays if any(a is x for t in value for x in t))
    decoded, measure, _ = wire.decode_measured(json.loads(json.dumps(tree)), data)
    assert _same(value, decoded)
    for step, rebuilt in zip(value, decoded):
        for a, b in zip(step, rebuilt):
            for c, d in zip(step, rebuilt):
                assert (a is c) == (b is d)
    assert Scale(*measure) == Scale.of(decoded) == Scale.of(value)
    assert elements == measure.elements


def test_a_reference_to_an_array_not_yet_sent_is_refused():
    one = {"a": "<f8", "s": [1]}
    for tree in ({"r": 0}, [one, {"r": 1}], [one, {"r": -1}], [one, {"r": True}],
                 [one, {"r": "0"}], [one, {"r": 0.0}], {"r": 0, "x": 1}):
        try:
            wire.decode(tree, b"\0" * 8)
        except wire.WireError:
            continue
        raise AssertionError(f"accepted {tree}")
    # every reference counts in full against the size limit
    big = {"a": "|b1", "s": [wire.MAX_ELEMENTS // 2]}
    try:
        wire.decode([big, {"r": 0}, {"r": 0}], b"\0" * (wire.MAX_ELEMENTS // 2))
    except wire.WireError:
        return
    raise AssertionError("three references to half the limit were accepted")
