"""course_utils.curves (numbers behind a curve) and course_utils.plotting (every lab plot)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import curves, plotting
from course_utils.training import History


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_moving_average_is_trailing_and_keeps_the_length():
    values = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    assert np.allclose(curves.moving_average(values, 2), [1, 2, 4, 6, 8])
    assert np.allclose(curves.moving_average(values, 3), [1, 2, 3, 5, 7])   # short at the start
    assert np.allclose(curves.moving_average(values, 1), values)
    assert np.allclose(curves.moving_average(values, 100), np.cumsum(values) / np.arange(1, 6))
    assert curves.moving_average([], 20).shape == (0,)


def test_moving_average_confines_a_nan_to_the_windows_that_contain_it():
    smoothed = curves.moving_average([1.0, 1.0, np.nan, 1.0, 1.0, 1.0], 2)
    assert np.isnan(smoothed[2:4]).all()
    assert np.allclose(smoothed[[0, 1, 4, 5]], 1.0)


def test_norms_through_time_leaves_a_gap_at_zero_and_draws_guides():
    norms = {"a": np.array([0.0, 1e-3, 1e-2, 1.0]), "b": np.array([1.0, 1.0, np.nan, 1.0])}
    ax = plotting.norms_through_time(norms, title="t", guides={"a": np.ones(4)})
    lines = ax.get_lines()
    assert len(lines) == 3 and ax.get_yscale() == "log" and ax.get_title() == "t"
    assert np.isnan(lines[0].get_ydata()[0]) and lines[1].get_linestyle() == "--"
    assert lines[1].get_color() == lines[0].get_color()


def test_training_curves_smooth_and_stop_where_a_run_blew_up():
    losses = np.r_[np.linspace(1.0, 0.1, 10), np.full(5, np.nan)]
    _, (left, right) = plt.subplots(1, 2)
    plotting.training_curves({"run": losses}, "loss", ax=left, log=False)
    plotting.training_curves({"run": losses}, "loss", ax=right, window=4)
    raw, smooth = left.get_lines()[0], right.get_lines()[0]
    assert list(raw.get_xdata()) == list(range(10)) and np.allclose(raw.get_ydata(), losses[:10])
    assert np.allclose(smooth.get_ydata(), curves.moving_average(losses, 4)[:10])
    assert right.get_yscale() == "log" and left.get_yscale() == "linear"


def test_accuracy_plots_show_the_chance_level():
    history = History(eval_step=[10, 20], eval_accuracy=[0.5, 0.9])
    ax = plotting.eval_curves({"run": history})
    assert any(np.allclose(line.get_ydata(), plotting.CHANCE) for line in ax.get_lines())
    acc = np.array([[1.0, 0.9], [0.6, 0.5]])                 # (lengths, seeds)
    ax = plotting.accuracy_vs_length([5, 10], {"rnn": acc, "lstm": acc})
    assert np.allclose(ax.get_lines()[0].get_ydata(), [0.95, 0.55])
    assert len(ax.collections) == 4                            # one dot series per model and seed


def test_figures_of_several_panels():
    fig = plotting.gate_heatmap({"f": np.full((6, 3), 0.5), "c": np.linspace(-1, 1, 18)
                                 .reshape(6, 3)}, bits=np.ones(6), title="gates")
    assert len(fig.axes) == 4                                  # two maps, two colour bars
    assert len(plotting.draw_sequence_patterns().axes) == len(plotting.SEQUENCE_PATTERNS)


def test_accuracy_dots_have_their_own_places_and_partial_successes_are_labelled():
    acc = np.array([[1.0, 1.0, 1.0], [1.0, 0.5, 0.5]])        # (lengths, seeds)
    ax = plotting.accuracy_vs_length([5, 40], {"rnn": acc, "lstm": acc})
    places = [tuple(np.round(c.get_offsets()[:, 0], 6)) for c in ax.collections]
    assert len(set(places)) == len(places) == 6                # every model and seed apart
    assert all(c.get_zorder() > ax.get_lines()[0].get_zorder() for c in ax.collections)
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["1/3 solved", "1/3 solved"]              # only where some seeds failed


def test_gate_heatmaps_can_share_their_colour_scale():
    small = {"f": np.full((4, 2), 0.5), "c": np.full((4, 2), 0.5)}
    large = {"f": np.full((4, 2), 0.5), "c": np.full((4, 2), -20.0)}
    bounds = plotting.shared_bounds(small, large, diverging=("c",))
    assert bounds == {"c": 20.0}
    for acts in (small, large):
        fig = plotting.gate_heatmap(acts, bounds=bounds, diverging=("c",))
        gate, cell = (ax.get_images()[0] for ax in fig.axes[:2])   # the maps, then the bars
        assert gate.get_clim() == (0.0, 1.0) and cell.get_clim() == (-20.0, 20.0)
    alone = plotting.gate_heatmap(small, diverging=("c",))     # without bounds: its own scale
    assert alone.axes[1].get_images()[0].get_clim() == (-0.5, 0.5)
