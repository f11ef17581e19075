"""The captioning data: deterministic, consistent captions, independent factors, features."""

from __future__ import annotations

import numpy as np
import pytest

from datasets.captions import (
    CAPTION_LENGTH,
    COLOURS,
    GRID,
    REFERENCES,
    SHAPES,
    VOCAB,
    caption_is_correct,
    load_caption_data,
    make_split,
    parse_caption,
    patch_features,
    relation_of,
    sample_batch,
)

SIZES = {"train": 600, "val": 100, "test": 100}


@pytest.fixture(scope="module")
def data():
    return load_caption_data(SIZES)


def test_vocabulary_starts_with_the_special_tokens():
    assert VOCAB.words[:4] == ("<NULL>", "<START>", "<END>", "<UNK>")
    assert (VOCAB.null, VOCAB.start, VOCAB.end) == (0, 1, 2)
    ids = VOCAB.encode("a red zebra above a blue square")
    assert ids[0] == VOCAB.start and ids[3] == VOCAB.index["<UNK>"]
    assert ids.shape == (CAPTION_LENGTH,)
    assert VOCAB.decode(VOCAB.encode("a red circle above a blue square")) == \
        "a red circle above a blue square"


def test_generation_is_deterministic_and_splits_differ(data):
    again = load_caption_data(SIZES)
    for name in ("train", "val", "test"):
        assert np.array_equal(getattr(data, name).images, getattr(again, name).images)
        assert np.array_equal(getattr(data, name).captions, getattr(again, name).captions)
    assert not np.array_equal(data.train.images[:100], data.val.images)
    assert len(data.train) == 600 and data.train.images.dtype == np.uint8


def test_every_reference_is_correct_and_parses(data):
    split = data.val
    assert split.captions.shape == (len(split), REFERENCES, CAPTION_LENGTH)
    for n in range(len(split)):
        refs = split.references(n)
        assert len(set(refs)) == REFERENCES
        for ref in refs:
            assert parse_caption(ref) is not None, ref
            assert caption_is_correct(ref, split.objects[n]), ref
            # reading order: the upper (or left) object is named first
            assert parse_caption(ref)[1] in ("above", "to the left of"), ref


def test_wrong_captions_are_rejected():
    objects = np.array([[0, 0, 0, 1], [2, 1, 2, 1]])  # red circle above blue square
    assert caption_is_correct("a red circle above a blue square", objects)
    assert caption_is_correct("the blue square is below the red circle", objects)
    assert not caption_is_correct("a red circle below a blue square", objects)
    assert not caption_is_correct("a blue circle above a red square", objects)
    assert not caption_is_correct("a red circle above a", objects)
    assert not caption_is_correct("a red circle to the left of a blue square", objects)
    assert relation_of(objects[0], objects[1]) == "above"


def test_colours_shapes_and_relations_vary_independently():
    split = make_split(3000, seed=11)
    objects = split.objects
    relations = [relation_of(o[0], o[1]) for o in objects]
    counts = {r: relations.count(r) for r in set(relations)}
    assert len(counts) == 4 and min(counts.values()) > 600
    # the first object's colour tells nothing about the relation or the other's colour
    for colour in range(len(COLOURS)):
        chosen = [r for r, o in zip(relations, objects) if o[0, 0] == colour]
        assert max(chosen.count(r) for r in counts) / len(chosen) < 0.35
    assert len({tuple(o[:, 1]) for o in objects}) == len(SHAPES) ** 2
    assert all(not np.array_equal(o[0, :2], o[1, :2]) for o in objects)


def test_images_show_the_objects_where_they_are(data):
    split = data.train
    cell = split.images.shape[1] // GRID
    for n in range(50):
        bright = split.images[n].reshape(GRID, cell, GRID, cell, 3).max(axis=(1, 3, 4))
        lit = {(int(r), int(c)) for r, c in zip(*np.nonzero(bright > 150))}
        assert lit == {tuple(int(v) for v in o[2:]) for o in split.objects[n]}


def test_patch_features_are_the_pixels_of_each_cell(data):
    images = data.test.images[:3]
    features = patch_features(images)
    assert features.shape == (3, GRID, GRID, 8 * 8 * 3) and features.dtype == np.float64
    assert np.allclose(features[1, 2, 1], images[1, 16:24, 8:16].reshape(-1) / 255)
    assert 0 <= features.min() and features.max() <= 1


def test_sample_batch_is_seeded(data):
    a = sample_batch(data.train, 5, np.random.default_rng(3))
    b = sample_batch(data.train, 5, np.random.default_rng(3))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert a[0].shape == (5, GRID, GRID, 192) and a[1].shape == (5, CAPTION_LENGTH)
