"""Dates written the way people write them, and their ISO form: the `seq2seq` data.

A source is one calendar date in one of fifteen human formats, lower case, character by
character; its target is the same date as ISO 8601, ``YYYY-MM-DD``::

    the 3rd of march, 1998                          ->  1998-03-03
    tuesday, 3 march 1998                           ->  1998-03-03
    march 3, 1998                                   ->  1998-03-03
    03/03/98                                        ->  1998-03-03
    tuesday, the 3rd day of march in the year 1998  ->  1998-03-03

The task needs no knowledge outside the string, and the rules are stated here so that
every target is right: numeric dates are day first (``dd/mm/yy``, ``d.m.yyyy``); a
two-digit year ``yy`` means 19yy when yy >= 50 and 20yy otherwise (the dates run from
1950-01-01 to 2049-12-31); weekday names are the true weekday of the date (they carry no
information the model needs, and it must learn to look past them). The alignment is
not monotonic: the year comes first in the target and last in most sources, the day
comes last in the target and first in many sources; sources run from 8 to 53
characters, and in the long ones (a weekday first, words between the fields) the day and
the month are far from both ends of the source.

Splits are by date, not by string: a date of the test split never occurs in training, in
any format (the date's day number since 1950-01-01, modulo 10: 0 is test, 1 is
validation, the rest training). Everything is generated from a seed, nothing is
downloaded. Typical use::

    data = load_date_data()
    src, src_mask, tgt = data.train.batch(range(8))   # (8, S) ids, (8, S) bool, (8, 12) ids
    print(data.train.sources[0], "->", TARGET_VOCAB.decode(tgt[0]))
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FIRST_DAY = datetime.date(1950, 1, 1)
LAST_DAY = datetime.date(2049, 12, 31)
SPLIT_SIZES = {"train": 20000, "val": 1000, "test": 2000}
SEED = 2027

NULL, START, END, UNK = "<NULL>", "<START>", "<END>", "<UNK>"
TARGET_LENGTH = 12  # <START>, the 10 characters of YYYY-MM-DD, <END>


def ordinal(day: int) -> str:
    """1 -> 1st, 2 -> 2nd, 3 -> 3rd, 11 -> 11th, 22 -> 22nd."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _parts(d: datetime.date) -> dict[str, str]:
    return {"d": str(d.day), "dd": f"{d.day:02d}", "m": str(d.month), "mm": f"{d.month:02d}",
            "yyyy": str(d.year), "yy": f"{d.year % 100:02d}", "ord": ordinal(d.day),
            "month": MONTHS[d.month - 1], "mon": MONTHS[d.month - 1][:3],
            "weekday": WEEKDAYS[d.weekday()]}


# The formats, each a template of the fields of `_parts`.
FORMATS: tuple[str, ...] = (
    "{d} {mon} {yyyy}",                          # 3 mar 1998
    "{d} {month} {yyyy}",                        # 3 march 1998
    "{month} {d}, {yyyy}",                       # march 3, 1998
    "{mon} {d} {yyyy}",                          # mar 3 1998
    "the {ord} of {month}, {yyyy}",              # the 3rd of march, 1998
    "{ord} {month} {yyyy}",                      # 3rd march 1998
    "{weekday}, {d} {month} {yyyy}",             # tuesday, 3 march 1998
    "{weekday}, the {ord} of {month}, {yyyy}",   # tuesday, the 3rd of march, 1998
    "{dd}/{mm}/{yy}",                            # 03/03/98
    "{dd}.{mm}.{yyyy}",                          # 03.03.1998
    "{d}/{m}/{yyyy}",                            # 3/3/1998
    "{yyyy}/{mm}/{dd}",                          # 1998/03/03
    # Long ones, the day and the month far from both ends of the source:
    "{weekday}, the {ord} day of {month} in the year {yyyy}",
    # tuesday, the 3rd day of march in the year 1998
    "{weekday}, the {ord} day of {month}, {yyyy}",  # tuesday, the 3rd day of march, 1998
    "{weekday} {d} {month} of the year {yyyy}",  # tuesday 3 march of the year 1998
)


def render(d: datetime.date, fmt: int) -> str:
    """Date `d` written in format number `fmt` of FORMATS."""
    return FORMATS[fmt].format(**_parts(d))


def iso(d: datetime.date) -> str:
    return d.isoformat()


def parse_two_digit_year(yy: int) -> int:
    """The rule of the numeric formats: 50..99 -> 1950..1999, 00..49 -> 2000..2049."""
    return 1900 + yy if yy >= 50 else 2000 + yy


class CharVocabulary:
    """Characters <-> ids; the special tokens come first, <NULL> = 0 (padding)."""

    def __init__(self, specials: Sequence[str], chars: Iterable[str]) -> None:
        self.tokens = tuple(specials) + tuple(sorted(set(chars) - set(specials)))
        self.index = {t: i for i, t in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def ids(self, text: str) -> list[int]:
        unknown = self.index.get(UNK, 0)
        return [self.index.get(c, unknown) for c in text]

    def decode(self, ids: Iterable[int]) -> str:
        """The characters of `ids`, without <NULL> and <START>, up to the first <END>."""
        out = []
        for i in np.asarray(ids if isinstance(ids, np.ndarray) else list(ids)).ravel():
            token = self.tokens[int(i)]
            if token == END:
                break
            if token not in (NULL, START, UNK):
                out.append(token)
        return "".join(out)


def _source_chars() -> set[str]:
    chars = set("0123456789 ,./")
    for word in (*MONTHS, *WEEKDAYS, "the", "of", "st", "nd", "rd", "th", "day", "in",
                 "year"):
        chars.update(word)
    return chars


SOURCE_VOCAB = CharVocabulary((NULL, UNK), _source_chars())
TARGET_VOCAB = CharVocabulary((NULL, START, END), "0123456789-")


def encode_sources(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(N, S) int64 ids padded with <NULL> at the end, and the (N, S) bool mask, True at
    the real characters; S is the longest text."""
    S = max(len(t) for t in texts)
    ids = np.zeros((len(texts), S), dtype=np.int64)
    mask = np.zeros((len(texts), S), dtype=bool)
    for n, text in enumerate(texts):
        ids[n, :len(text)] = SOURCE_VOCAB.ids(text)
        mask[n, :len(text)] = True
    return ids, mask


def encode_targets(texts: Sequence[str]) -> np.ndarray:
    """(N, TARGET_LENGTH) int64: <START>, the ISO characters, <END>."""
    start, end = TARGET_VOCAB.index[START], TARGET_VOCAB.index[END]
    return np.array([[start, *TARGET_VOCAB.ids(t), end] for t in texts], dtype=np.int64)


@dataclass(frozen=True)
class DateSplit:
    """One split: `sources[n]` written in format `formats[n]` means `dates[n]`."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    formats: np.ndarray        # (N,) int64 index into FORMATS
    dates: tuple[datetime.date, ...]

    def __len__(self) -> int:
        return len(self.sources)

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(s) for s in self.sources], dtype=np.int64)

    def batch(self, index: Iterable[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(src ids (B, S), src mask (B, S), target ids (B, TARGET_LENGTH)) of examples
        `index`, padded to the longest source among them."""
        index = list(index)
        src, mask = encode_sources([self.sources[i] for i in index])
        return src, mask, encode_targets([self.targets[i] for i in index])


@dataclass(frozen=True)
class DateData:
    train: DateSplit
    val: DateSplit
    test: DateSplit
    source_vocab: CharVocabulary
    target_vocab: CharVocabulary


def split_of(d: datetime.date) -> str:
    """The split a date belongs to, whatever its format: by its day number modulo 10."""
    k = (d - FIRST_DAY).days % 10
    return "test" if k == 0 else "val" if k == 1 else "train"


def make_split(name: str, count: int, seed: int) -> DateSplit:
    """`count` examples of split `name`: dates of that split drawn uniformly, each in a
    format drawn uniformly, all from `seed`."""
    rng = np.random.default_rng(seed)
    days = (LAST_DAY - FIRST_DAY).days + 1
    dates: list[datetime.date] = []
    while len(dates) < count:
        for k in rng.integers(0, days, size=2 * count):
            d = FIRST_DAY + datetime.timedelta(days=int(k))
            if split_of(d) == name and len(dates) < count:
                dates.append(d)
    formats = rng.integers(0, len(FORMATS), size=count)
    sources = tuple(render(d, int(f)) for d, f in zip(dates, formats))
    return DateSplit(sources, tuple(iso(d) for d in dates), formats.astype(np.int64),
                     tuple(dates))


def load_date_data(sizes: dict[str, int] | None = None, seed: int = SEED) -> DateData:
    """The train/val/test splits (20000/1000/2000 examples by default)."""
    sizes = {**SPLIT_SIZES, **(sizes or {})}
    splits = {name: make_split(name, sizes[name], seed + k)
              for k, name in enumerate(("train", "val", "test"))}
    return DateData(**splits, source_vocab=SOURCE_VOCAB, target_vocab=TARGET_VOCAB)


def sample_batch(split: DateSplit, batch_size: int, rng: np.random.Generator,
                 bucket: Callable[[np.ndarray], np.ndarray] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random minibatch (src, src_mask, tgt) of `split`.

    Examples are drawn with replacement. Sources are padded to the longest in the batch;
    to waste less time on padding, the batch is drawn among examples of about the same
    length as its first example (within 4 characters) unless `bucket` is given as
    `lambda lengths: np.ones_like(lengths, dtype=bool)`."""
    lengths = split.lengths
    first = int(rng.integers(len(split)))
    near = (np.abs(lengths - lengths[first]) <= 4) if bucket is None else bucket(lengths)
    pool = np.flatnonzero(near)
    index = rng.choice(pool, size=batch_size)
    return split.batch(index)
