"""The char_lm corpus and its batching: shipped intact, split and chunked deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.text import init_char_lm, zero_state
from datasets.text import (
    CORPUS_DIR,
    CORPUS_MODULES,
    Vocabulary,
    batchify,
    bptt_chunks,
    load_char_data,
    load_corpus,
    num_chunks,
    real_or_shuffled,
    split_text,
    train_val_split,
)


@pytest.fixture(scope="module")
def data():
    return load_char_data()


def test_corpus_is_shipped_complete_with_its_licence():
    texts = load_corpus()  # raises if any file differs from the shipped checksum
    assert list(texts) == list(CORPUS_MODULES)
    total = sum(len(t) for t in texts.values())
    assert 300_000 < total < 1_000_000
    assert (CORPUS_DIR / "LICENSE-PSF.txt").read_text().count("PYTHON SOFTWARE FOUNDATION") > 0
    shipped = {p.name.removesuffix(".py.txt") for p in CORPUS_DIR.glob("*.py.txt")}
    assert shipped == set(CORPUS_MODULES)


def test_a_modified_corpus_is_refused(tmp_path, monkeypatch):
    for module in CORPUS_MODULES:
        (tmp_path / f"{module}.py.txt").write_text("x = 1\n")
    monkeypatch.setattr("datasets.text.CORPUS_DIR", tmp_path)
    with pytest.raises(ValueError, match="modified"):
        load_corpus()


def test_split_is_deterministic_disjoint_and_cut_at_line_starts(data):
    again = load_char_data()
    assert np.array_equal(data.train, again.train) and np.array_equal(data.val, again.val)
    texts = load_corpus()
    train, val = train_val_split(texts, 0.1)
    assert len(train) + len(val) == sum(len(t) for t in texts.values())
    assert 0.08 < len(val) / (len(train) + len(val)) < 0.12
    for text in texts.values():
        head, tail = split_text(text, 0.1)
        assert head + tail == text and head.endswith("\n") and tail
    assert data.vocab.decode(data.val) == val


def test_split_rejects_a_bad_fraction():
    with pytest.raises(ValueError):
        split_text("a\nb\n", 1.0)


def test_vocabulary_round_trip_and_unknown_character():
    vocab = Vocabulary.from_text("hello world\n")
    assert vocab.chars == "\n dehlorw" and len(vocab) == 9
    ids = vocab.encode("old hello")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "old hello"
    with pytest.raises(KeyError, match="'z'"):
        vocab.encode("z")


def test_bptt_chunks_continue_each_stream_and_targets_are_shifted():
    ids = np.arange(103)
    xs, ys = batchify(ids, 4)
    assert xs.shape == ys.shape == (4, 25)
    assert np.array_equal(ys, xs + 1)
    chunks = list(bptt_chunks(ids, batch_size=4, seq_len=10))
    assert len(chunks) == num_chunks(ids, 4, 10) == 2
    (x0, y0), (x1, y1) = chunks
    assert x0.shape == (4, 10)
    # Row n of chunk 1 starts exactly where row n of chunk 0 stopped.
    assert np.array_equal(x1[:, 0], x0[:, -1] + 1)
    assert np.array_equal(x0[:, 0], [0, 25, 50, 75])


def test_batchify_refuses_too_little_text():
    with pytest.raises(ValueError):
        batchify(np.arange(3), 4)


def test_real_or_shuffled_is_balanced_seeded_and_keeps_character_counts(data):
    x, labels = real_or_shuffled(data.train, count=40, length=20, seed=3)
    x2, labels2 = real_or_shuffled(data.train, count=40, length=20, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(labels, labels2)
    assert x.shape == (40, 20) and labels.sum() == 20
    text = data.vocab.decode(data.train)
    assert all(data.vocab.decode(row) in text for row in x[labels == 1])
    assert sum(data.vocab.decode(row) in text for row in x[labels == 0]) < 5
    for real, shuffled in zip(x[labels == 1], x[labels == 0]):
        assert len(real) == len(shuffled)
    # A shuffled snippet has the character counts of the real snippet it was drawn as.
    rng = np.random.default_rng(3)
    starts = rng.integers(0, len(data.train) - 20, size=40)
    for i in np.flatnonzero(labels == 0):
        original = data.train[starts[i]:starts[i] + 20]
        assert np.array_equal(np.sort(x[i]), np.sort(original))


def test_init_shapes_and_zero_state():
    rng = np.random.default_rng(0)
    for cell, gates in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        params = init_char_lm(11, 4, 6, cell, rng)
        assert params["Wx"].shape == (4, 6 * gates) and params["Wh"].shape == (6, 6 * gates)
        assert params["W_out"].shape == (6, 11) and params["W_embed"].shape == (11, 4)
    assert isinstance(zero_state("lstm", 2, 3), tuple) and zero_state("rnn", 2, 3).shape == (2, 3)
    with pytest.raises(ValueError):
        init_char_lm(11, 4, 6, "transformer", rng)
