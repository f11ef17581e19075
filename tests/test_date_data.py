"""The date data of the seq2seq assignment: right targets, every format, disjoint splits,
padding and masks, seeded batches."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from datasets.dates import (
    FORMATS,
    SOURCE_VOCAB,
    TARGET_LENGTH,
    TARGET_VOCAB,
    encode_sources,
    encode_targets,
    load_date_data,
    make_split,
    ordinal,
    parse_two_digit_year,
    render,
    sample_batch,
    split_of,
)

SIZES = {"train": 3000, "val": 300, "test": 600}


@pytest.fixture(scope="module")
def data():
    return load_date_data(SIZES)


def test_formats_render_as_stated():
    d = datetime.date(1998, 3, 3)  # a Tuesday
    written = [render(d, k) for k in range(len(FORMATS))]
    assert "the 3rd of march, 1998" in written
    assert "tuesday, the 3rd of march, 1998" in written
    assert "03/03/98" in written and "march 3, 1998" in written and "3 mar 1998" in written
    assert "tuesday, the 3rd day of march in the year 1998" in written
    assert "tuesday, the 3rd day of march, 1998" in written
    assert "tuesday 3 march of the year 1998" in written
    assert render(datetime.date(2011, 11, 22), 8) == "22/11/11"
    assert [ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def _parse(source: str) -> datetime.date:
    """An independent reading of a source, by the rules the module states."""
    months = {m: k + 1 for k, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"])}
    words = source.replace(",", " ").split()
    if "/" in source or "." in source:
        a, b, c = source.replace(".", "/").split("/")
        if len(a) == 4:
            return datetime.date(int(a), int(b), int(c))
        year = int(c) if len(c) == 4 else parse_two_digit_year(int(c))
        return datetime.date(year, int(b), int(a))
    year = int(words[-1])
    month = next(k for w, k in months.items() if any(x in (w, w[:3]) for x in words))
    day = next(int(w.rstrip("stndrh")) for w in words[:-1] if w[0].isdigit())
    return datetime.date(year, month, day)


def test_every_target_is_the_iso_form_of_its_source(data):
    for split in (data.train, data.val, data.test):
        for source, target, d, fmt in zip(split.sources, split.targets, split.dates,
                                          split.formats):
            assert target == d.isoformat() and render(d, int(fmt)) == source
            assert _parse(source) == d, source
            weekday = source.split(",")[0]
            if weekday.endswith("day") and not weekday[0].isdigit():
                assert weekday == d.strftime("%A").lower(), source


def test_generation_is_deterministic_and_splits_are_disjoint_by_date(data):
    again = load_date_data(SIZES)
    assert again.train.sources == data.train.sources and again.test.sources == data.test.sources
    assert set(data.train.dates).isdisjoint(data.test.dates)
    assert set(data.train.dates).isdisjoint(data.val.dates)
    assert {split_of(d) for d in data.test.dates} == {"test"}
    assert len(data.train) == SIZES["train"]


def test_formats_and_lengths_vary(data):
    counts = np.bincount(data.train.formats, minlength=len(FORMATS))
    assert counts.min() > 0.5 * counts.mean()
    lengths = data.train.lengths
    assert lengths.min() <= 8 and lengths.max() >= 50
    years = np.array([d.year for d in data.train.dates])
    assert years.min() < 1955 and years.max() > 2044


def test_sources_are_padded_at_the_end_with_a_mask():
    ids, mask = encode_sources(["3 mar 1998", "03/03/98", "the 3rd of march, 1998"])
    assert ids.shape == mask.shape == (3, 22) and mask.dtype == bool
    assert mask.sum(axis=1).tolist() == [10, 8, 22]
    assert (ids[~mask] == 0).all() and (ids[mask] > 1).all()  # <NULL> pads, no <UNK>
    assert all((row[:-1] >= row[1:]).all() for row in mask)  # True, then False
    assert SOURCE_VOCAB.decode(ids[1]) == "03/03/98"


def test_targets_have_start_and_end():
    tgt = encode_targets(["1998-03-03"])
    assert tgt.shape == (1, TARGET_LENGTH)
    assert tgt[0, 0] == TARGET_VOCAB.index["<START>"] and tgt[0, -1] == TARGET_VOCAB.index["<END>"]
    assert TARGET_VOCAB.decode(tgt[0]) == "1998-03-03"
    assert TARGET_VOCAB.tokens[:3] == ("<NULL>", "<START>", "<END>")


def test_batches_are_seeded_and_of_similar_lengths(data):
    a = sample_batch(data.train, 16, np.random.default_rng(3))
    b = sample_batch(data.train, 16, np.random.default_rng(3))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    src, mask, tgt = a
    assert src.shape[0] == mask.shape[0] == tgt.shape[0] == 16
    assert mask.any(axis=1).all() and mask[:, -1].any()  # padded to the longest source
    lengths = mask.sum(axis=1)
    assert lengths.max() - lengths.min() <= 8


def test_make_split_draws_only_dates_of_its_split():
    split = make_split("val", 50, seed=5)
    assert {split_of(d) for d in split.dates} == {"val"} and len(split) == 50
