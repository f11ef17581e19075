"""Shapes on a grid and their captions: the data of the `captioning` assignment.

Every image is 24 x 24 RGB, a 3 x 3 grid of 8 x 8 cells on a black background. Two
different objects (a colour and a shape each) sit in two cells of the same row or of the
same column, so one of them is above, below, to the left of or to the right of the other.
Colours, shapes and positions are drawn independently, so a caption cannot be right
without looking at the image: which colour goes with which shape, and which relation holds,
is only in the pixels.

Each image has two reference captions from a small grammar. They describe the scene in
reading order, the upper object first (or the left one, when the two share a row), so the
relation they use is "above" or "to the left of"::

    a red circle above a blue square          the red circle is above the blue square

Which object is named first is therefore a fact about the image too. The vocabulary also
has "below" and "to the right of", and `caption_is_correct` accepts a true caption that
names the objects the other way round.

Everything is generated from a seed (no download, no file): the same data on every
machine. Typical use::

    data = load_caption_data()
    patches = patch_features(data.train.images[:8])        # (8, 3, 3, 192) floats
    captions = data.train.captions[:8, 0]                  # (8, L) ids, <START> ... <END>
    print(data.vocab.decode(captions[0]))                  # "a red circle above a ..."
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

IMAGE_SIZE = 24
GRID = 3                      # cells per side; the patch grid P of the features is the same
CELL = IMAGE_SIZE // GRID     # pixels per cell side
COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (1.0, 0.1, 0.1), "green": (0.1, 0.9, 0.1), "blue": (0.15, 0.35, 1.0),
    "yellow": (1.0, 0.95, 0.1), "white": (1.0, 1.0, 1.0),
}
SHAPES = ("circle", "square", "triangle", "cross")
# relation of the first-named object to the second, and the same fact said the other way
RELATIONS = {"above": "below", "below": "above", "to the left of": "to the right of",
             "to the right of": "to the left of"}
READING_ORDER = ("above", "to the left of")  # the relations the references use
NULL, START, END, UNK = "<NULL>", "<START>", "<END>", "<UNK>"
SPECIAL = (NULL, START, END, UNK)
REFERENCES = 2                # reference captions per image
MAX_WORDS = 11                # "the red circle is to the left of the blue square"
CAPTION_LENGTH = MAX_WORDS + 2  # with <START> and <END>, padded with <NULL>
SPLIT_SIZES = {"train": 4000, "val": 500, "test": 500}
SEED = 2026


def _masks() -> dict[str, np.ndarray]:
    """The pixels of each shape inside a cell, boolean (CELL, CELL)."""
    y, x = np.mgrid[0:CELL, 0:CELL] + 0.5
    centre = CELL / 2
    masks = {
        "circle": (x - centre) ** 2 + (y - centre) ** 2 <= (0.42 * CELL) ** 2,
        "square": (np.abs(x - centre) <= 0.36 * CELL) & (np.abs(y - centre) <= 0.36 * CELL),
        # apex at the top, base at the bottom
        "triangle": (y >= 1) & (y <= CELL - 1) & (np.abs(x - centre) <= (y - 1) / 2 + 0.3),
        "cross": ((np.abs(x - centre) <= 0.15 * CELL) | (np.abs(y - centre) <= 0.15 * CELL))
                 & (np.abs(x - centre) <= 0.45 * CELL) & (np.abs(y - centre) <= 0.45 * CELL),
    }
    return masks


MASKS = _masks()


class Vocabulary:
    """Words <-> ids. The four special tokens come first: <NULL> = 0 (padding),
    <START> = 1, <END> = 2, <UNK> = 3 (a word outside the vocabulary)."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(SPECIAL) + tuple(w for w in words if w not in SPECIAL)
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def null(self) -> int:
        return self.index[NULL]

    @property
    def start(self) -> int:
        return self.index[START]

    @property
    def end(self) -> int:
        return self.index[END]

    def encode(self, caption: str, length: int = CAPTION_LENGTH) -> np.ndarray:
        """(length,) int64: <START>, the words (<UNK> if unknown), <END>, <NULL> padding."""
        ids = [self.start, *(self.index.get(w, self.index[UNK]) for w in caption.split()),
               self.end]
        if len(ids) > length:
            raise ValueError(f"caption {caption!r} is longer than {length - 2} words")
        return np.array(ids + [self.null] * (length - len(ids)), dtype=np.int64)

    def decode(self, ids) -> str:
        """The words of `ids`, without <START> and <NULL>, up to the first <END>."""
        words = []
        for i in np.asarray(ids).ravel():
            word = self.words[int(i)]
            if word == END:
                break
            if word not in (NULL, START):
                words.append(word)
        return " ".join(words)


def caption_words() -> list[str]:
    """Every word of the grammar, sorted."""
    words = {"a", "the", "is", *COLOURS, *SHAPES}
    for relation in RELATIONS:
        words.update(relation.split())
    return sorted(words)


VOCAB = Vocabulary(caption_words())


def describe(first: tuple[str, str], relation: str, second: tuple[str, str]) -> list[str]:
    """The reference captions of `first` `relation` `second` ((colour, shape) each), in
    reading order: said the other way round when `first` is below or right of `second`."""
    if relation not in READING_ORDER:
        first, relation, second = second, RELATIONS[relation], first
    a, b = " ".join(first), " ".join(second)
    return [f"a {a} {relation} a {b}", f"the {a} is {relation} the {b}"]


@dataclass(frozen=True)
class CaptionSplit:
    """One split. `objects[n, k] = (colour id, shape id, row, column)` of object k of image n
    (indices into COLOURS and SHAPES, cells counted from the top left)."""

    images: np.ndarray    # (N, 24, 24, 3) uint8
    captions: np.ndarray  # (N, REFERENCES, CAPTION_LENGTH) int64
    objects: np.ndarray   # (N, 2, 4) int64

    def __len__(self) -> int:
        return len(self.images)

    def references(self, n: int) -> list[str]:
        """The reference captions of image n as text."""
        return [VOCAB.decode(c) for c in self.captions[n]]


@dataclass(frozen=True)
class CaptionData:
    train: CaptionSplit
    val: CaptionSplit
    test: CaptionSplit
    vocab: Vocabulary


def relation_of(first: np.ndarray, second: np.ndarray) -> str:
    """Where object `first` is relative to `second` ((colour, shape, row, column) each)."""
    (r1, c1), (r2, c2) = first[2:], second[2:]
    if c1 == c2 and r1 != r2:
        return "above" if r1 < r2 else "below"
    if r1 == r2 and c1 != c2:
        return "to the left of" if c1 < c2 else "to the right of"
    raise ValueError("the objects must share a row or a column, in different cells")


def _draw(rng: np.random.Generator, objects: np.ndarray) -> np.ndarray:
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE, 3))
    colours = list(COLOURS.values())
    for colour, shape, row, col in objects:
        brightness = rng.uniform(0.75, 1.0)
        cell = image[row * CELL:(row + 1) * CELL, col * CELL:(col + 1) * CELL]
        cell[MASKS[SHAPES[shape]]] = brightness * np.array(colours[colour])
    image += rng.normal(0.0, 0.04, size=image.shape)
    return np.clip(np.round(255 * image), 0, 255).astype(np.uint8)


def _scene(rng: np.random.Generator) -> np.ndarray:
    """Two different objects in one row or one column, everything else independent."""
    while True:
        kinds = rng.integers(0, [len(COLOURS), len(SHAPES)], size=(2, 2))
        if not np.array_equal(kinds[0], kinds[1]):
            break
    line = int(rng.integers(GRID))
    a, b = rng.choice(GRID, size=2, replace=False)
    if rng.random() < 0.5:   # same column: one above the other
        cells = [(a, line), (b, line)]
    else:                    # same row: side by side
        cells = [(line, a), (line, b)]
    return np.array([[*kinds[k], *cells[k]] for k in range(2)], dtype=np.int64)


def make_split(count: int, seed: int) -> CaptionSplit:
    """`count` images with their objects and references, all from `seed`."""
    rng = np.random.default_rng(seed)
    colour_names = list(COLOURS)
    images = np.empty((count, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    captions = np.empty((count, REFERENCES, CAPTION_LENGTH), dtype=np.int64)
    objects = np.empty((count, 2, 4), dtype=np.int64)
    for n in range(count):
        scene = _scene(rng)
        objects[n], images[n] = scene, _draw(rng, scene)
        first, second = ((colour_names[o[0]], SHAPES[o[1]]) for o in scene)
        texts = describe(first, relation_of(scene[0], scene[1]), second)
        captions[n] = [VOCAB.encode(t) for t in texts]
    return CaptionSplit(images, captions, objects)


def load_caption_data(sizes: dict[str, int] | None = None, seed: int = SEED) -> CaptionData:
    """The train/val/test splits (4000/500/500 images by default), each from its own seed."""
    sizes = {**SPLIT_SIZES, **(sizes or {})}
    splits = {name: make_split(sizes[name], seed + k)
              for k, name in enumerate(("train", "val", "test"))}
    return CaptionData(**splits, vocab=VOCAB)


def patch_features(images: np.ndarray, patch: int = CELL) -> np.ndarray:
    """Cut each image into a grid of patch x patch squares and flatten each square.

    images (N, S, S, 3) uint8 -> (N, S/patch, S/patch, patch*patch*3) float64 in [0, 1];
    features[n, i, j] are the pixels of the square in row i, column j.
    """
    N, S, _, C = images.shape
    P = S // patch
    grid = images.reshape(N, P, patch, P, patch, C).transpose(0, 1, 3, 2, 4, 5)
    return grid.reshape(N, P, P, patch * patch * C).astype(np.float64) / 255.0


def sample_batch(split: CaptionSplit, batch_size: int, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """A random minibatch: patch features (B, P, P, D) and one random reference caption
    per image, (B, CAPTION_LENGTH) ids."""
    index = rng.integers(0, len(split), size=batch_size)
    choice = rng.integers(0, REFERENCES, size=batch_size)
    return patch_features(split.images[index]), split.captions[index, choice]


def parse_caption(caption: str) -> tuple[tuple[str, str], str, tuple[str, str]] | None:
    """(first object, relation, second object) of a caption in the grammar, else None."""
    words = caption.split()
    if len(words) < 2 or words[0] not in ("a", "the"):
        return None
    article = words[0]
    first, rest = tuple(words[1:3]), words[3:]
    if article == "the":
        if not rest or rest[0] != "is":
            return None
        rest = rest[1:]
    for relation in RELATIONS:
        n = len(relation.split())
        if " ".join(rest[:n]) == relation and len(rest) == n + 3 and rest[n] == article:
            second = tuple(rest[n + 1:n + 3])
            ok = all(c in COLOURS and s in SHAPES for c, s in (first, second))
            return (first, relation, second) if ok else None  # type: ignore[return-value]
    return None


def caption_is_correct(caption: str, objects: np.ndarray) -> bool:
    """True when `caption` names both objects of the image (colour and shape) and the
    relation between them that holds, in either order."""
    parsed = parse_caption(caption)
    if parsed is None:
        return False
    names = [(list(COLOURS)[o[0]], SHAPES[o[1]]) for o in objects]
    first, relation, second = parsed
    for i, j in ((0, 1), (1, 0)):
        if (first, second) == (names[i], names[j]):
            return relation == relation_of(objects[i], objects[j])
    return False
