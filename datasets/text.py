"""The character corpus of the `char_lm` assignment: load, encode, split, batch.

The corpus is a fixed set of Python 3.11 standard-library modules copied into
`datasets/corpus/` (see datasets/README.md), so it is the same on every machine and
nothing is downloaded. Typical use::

    data = load_char_data()                     # vocabulary + train/validation ids
    for x, y in bptt_chunks(data.train, batch_size=32, seq_len=64):
        ...                                      # x, y: (32, 64) ids, y is x shifted by one
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

# The modules of the corpus, in the order they are concatenated. Each file is the verbatim
# source of Lib/<name>.py from CPython 3.11.7, stored as <name>.py.txt.
CORPUS_MODULES: tuple[str, ...] = (
    "abc", "argparse", "base64", "bisect", "calendar", "colorsys", "contextlib", "copy",
    "csv", "dataclasses", "difflib", "fnmatch", "gettext", "glob", "graphlib", "numbers",
    "operator", "pprint", "queue", "random", "reprlib", "sched", "string", "textwrap",
    "tokenize",
)
# sha256 of the concatenated corpus: a changed or truncated file is caught at load time.
CORPUS_SHA256 = "4dd064b63a73ddf13479c2c7af28d8403ff4e8f13623b8787b7ab09eacb6a3fd"


def corpus_path(module: str) -> Path:
    return CORPUS_DIR / f"{module}.py.txt"


def load_corpus(check: bool = True) -> dict[str, str]:
    """{module name: its source text}, in CORPUS_MODULES order.

    With `check`, raise ValueError when the files differ from the ones shipped.
    """
    texts = {m: corpus_path(m).read_text(encoding="utf-8") for m in CORPUS_MODULES}
    if check:
        digest = hashlib.sha256("".join(texts.values()).encode("utf-8")).hexdigest()
        if digest != CORPUS_SHA256:
            raise ValueError(f"corpus in {CORPUS_DIR} was modified (sha256 {digest[:12]}...)")
    return texts


@dataclass(frozen=True)
class Vocabulary:
    """Characters <-> integer ids. `chars[i]` is the character with id i (sorted order)."""

    chars: str

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """(len(text),) int64 ids; KeyError names a character outside the vocabulary."""
        index = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.array([index[c] for c in text], dtype=np.int64)
        except KeyError as err:
            raise KeyError(f"character {err.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in np.asarray(ids).ravel())


def split_text(text: str, val_fraction: float) -> tuple[str, str]:
    """(train, validation): the last `val_fraction` of `text`, cut at a line start."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    cut = int(len(text) * (1.0 - val_fraction))
    newline = text.rfind("\n", 0, cut)
    cut = newline + 1 if newline > 0 else cut
    return text[:cut], text[cut:]


def train_val_split(texts: dict[str, str], val_fraction: float = 0.1) -> tuple[str, str]:
    """Deterministic split: the tail of every module goes to validation.

    Taking the tail of each file (rather than whole files) keeps both halves drawn from
    the same mixture of styles, and no line is cut in two.
    """
    parts = [split_text(text, val_fraction) for text in texts.values()]
    return "".join(p[0] for p in parts), "".join(p[1] for p in parts)


@dataclass(frozen=True)
class CharData:
    vocab: Vocabulary
    train: np.ndarray  # (L_train,) int64 ids
    val: np.ndarray  # (L_val,) int64 ids


def load_char_data(val_fraction: float = 0.1) -> CharData:
    """The corpus encoded with a vocabulary built from all of it, split train/validation."""
    texts = load_corpus()
    vocab = Vocabulary.from_text("".join(texts.values()))
    train, val = train_val_split(texts, val_fraction)
    return CharData(vocab, vocab.encode(train), vocab.encode(val))


def batchify(ids: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a long id sequence into `batch_size` contiguous streams, inputs and targets.

    Stream n is one stretch of the text, so chunk k+1 of row n continues chunk k of row n
    and a hidden state can be carried from one chunk to the next.

    Returns:
        xs, ys: (batch_size, L) int64 arrays with ys[n, t] == the id following xs[n, t].
    """
    ids = np.asarray(ids)
    length = (len(ids) - 1) // batch_size
    if length < 1:
        raise ValueError(f"{len(ids)} ids are too few for {batch_size} streams")
    xs = ids[: batch_size * length].reshape(batch_size, length)
    ys = ids[1 : batch_size * length + 1].reshape(batch_size, length)
    return xs, ys


def num_chunks(ids: np.ndarray, batch_size: int, seq_len: int) -> int:
    return ((len(ids) - 1) // batch_size) // seq_len


def bptt_chunks(ids: np.ndarray, batch_size: int, seq_len: int
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Consecutive (x, y) chunks of shape (batch_size, seq_len) for truncated BPTT.

    The last partial chunk is dropped so every chunk has the same length.
    """
    xs, ys = batchify(ids, batch_size)
    for k in range(xs.shape[1] // seq_len):
        window = slice(k * seq_len, (k + 1) * seq_len)
        yield xs[:, window], ys[:, window]


def real_or_shuffled(ids: np.ndarray, count: int, length: int, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """A many-to-one task: is a snippet real text (1) or its characters shuffled (0)?

    Both classes have exactly the same character counts, so only the order of the
    characters can tell them apart: a model must read the sequence.

    Returns:
        x: (count, length) int64 ids; labels: (count,) int64 in {0, 1}, balanced.
    """
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(ids) - length, size=count)
    x = np.stack([ids[s : s + length] for s in starts]).astype(np.int64)
    labels = (np.arange(count) % 2).astype(np.int64)
    for i in np.flatnonzero(labels == 0):
        x[i] = rng.permutation(x[i])
    return x, labels
