"""Plotting helpers for the labs: sequence-model diagrams, gradient norms, training curves.

Only the labs import this module (graded code never does), so matplotlib is imported here
at the top and nowhere in the answer cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# (title, steps that receive an input, steps that emit an output) for a 4-step unroll.
SEQUENCE_PATTERNS: tuple[tuple[str, Sequence[int], Sequence[int]], ...] = (
    ("one-to-many\n(e.g. image captioning)", (0,), (0, 1, 2, 3)),
    ("many-to-one\n(e.g. sentiment of a sentence)", (0, 1, 2, 3), (3,)),
    ("many-to-many, aligned\n(e.g. tagging every word)", (0, 1, 2, 3), (0, 1, 2, 3)),
    ("many-to-many, read then write\n(e.g. translation)", (0, 1), (2, 3)),
)
_COLORS = {"x": "#f4a6a6", "h": "#a8d5a2", "y": "#9ec5f0"}


def _box(ax: Axes, col: float, row: float, text: str, kind: str) -> None:
    ax.add_patch(plt.Rectangle((col - 0.3, row - 0.25), 0.6, 0.5, facecolor=_COLORS[kind],
                               edgecolor="black", linewidth=1))
    ax.text(col, row, text, ha="center", va="center", fontsize=10)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle="->", linewidth=1.2, color="black"))


def draw_sequence_patterns(steps: int = 4) -> Figure:
    """Unrolled diagrams of the four ways an RNN maps sequences (inputs below, outputs above).

    Every panel uses the same recurrent cell at every step: the boxes of a row share weights.
    """
    fig, axes = plt.subplots(1, len(SEQUENCE_PATTERNS), figsize=(4 * len(SEQUENCE_PATTERNS), 3.2))
    for ax, (title, inputs, outputs) in zip(axes, SEQUENCE_PATTERNS):
        for t in range(steps):
            _box(ax, t, 1, f"$h_{t}$", "h")
            if t in inputs:
                _box(ax, t, 0, f"$x_{t}$", "x")
                _arrow(ax, (t, 0.25), (t, 0.75))
            if t in outputs:
                _box(ax, t, 2, f"$y_{t}$", "y")
                _arrow(ax, (t, 1.25), (t, 1.75))
            if t + 1 < steps:
                _arrow(ax, (t + 0.3, 1), (t + 0.7, 1))
        ax.set_xlim(-0.6, steps - 0.4)
        ax.set_ylim(-0.5, 2.5)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=10)
    fig.suptitle(r"Every step uses the same $W_x$ (up-arrows), $W_h$ (right-arrows) and "
                 r"output weights", fontsize=10, y=0.02)
    fig.tight_layout()
    return fig


def plot_norms(ax: Axes, norms: Mapping[str, np.ndarray], title: str = "",
               guides: Mapping[str, np.ndarray] | None = None) -> None:
    """||dL/dh_t|| against t on a log scale, one line per label.

    `guides` optionally maps the same labels to reference curves drawn dashed in the
    same colour (e.g. the prediction rho^(T-1-t)).
    """
    for name, values in norms.items():
        # An exactly zero gradient has no logarithm: leave a gap instead of a drop to -inf.
        values = np.where(np.asarray(values) > 0, values, np.nan)
        (line,) = ax.semilogy(np.arange(len(values)), values, label=name)
        if guides and name in guides:
            ax.semilogy(np.arange(len(values)), guides[name], "--", color=line.get_color(),
                        linewidth=1, alpha=0.7)
    ax.set_xlabel("time step t")
    ax.set_ylabel(r"$\|\partial L / \partial h_t\|$")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)


def plot_curves(ax: Axes, curves: Mapping[str, np.ndarray], ylabel: str, title: str = "",
                log: bool = True, smooth: int = 1) -> None:
    """Training curves (loss or gradient norm per iteration), optionally a moving average.

    Non-finite values (a run that blew up) are left out, so the line simply stops there.
    """
    for name, values in curves.items():
        values = np.asarray(values, dtype=float)
        if smooth > 1 and len(values) >= smooth:
            kernel = np.ones(smooth) / smooth
            values = np.convolve(values, kernel, mode="valid")
        steps = np.arange(len(values)) + (smooth - 1 if smooth > 1 else 0)
        shown = np.isfinite(values)
        ax.plot(steps[shown], values[shown], label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("training iteration")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
