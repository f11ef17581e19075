"""Every plot of the labs: sequence-model diagrams, gradient norms through time, training and
evaluation curves, accuracy against sequence length and gate heat maps.

Only the labs import this module (graded code never does), so matplotlib is imported here
and nowhere in the answer cells. A plot that fills one Axes draws on `ax` (a new figure when
it is None) and returns that Axes; a plot with several panels returns its Figure. The
numbers behind a curve (moving averages) come from `course_utils.curves`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .curves import moving_average

if TYPE_CHECKING:
    from .training import History

CHANCE = 0.5   # accuracy of a guess on the balanced binary tasks of the labs
LAB_DPI = 130  # pixels per inch of a figure in the notebook


def use_lab_style(dpi: int = LAB_DPI) -> None:
    """Make the figures of the labs sharp enough to read their labels comfortably.

    Call it once, after importing pyplot. Matplotlib's default of 100 pixels per inch (less
    in some setups) blurs small tick labels and legends; at `dpi` a 12-inch-wide figure is
    drawn with more pixels than a notebook column shows, and the notebook scales it down.
    """
    plt.rcParams.update({"figure.dpi": dpi, "savefig.dpi": "figure"})


def _axes(ax: Axes | None, figsize: tuple[float, float] = (6, 3.5)) -> Axes:
    """`ax`, or the Axes of a new figure of size `figsize` when it is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- sequence-model diagrams -------------------------------------------------------------------

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


def _draw_pattern(ax: Axes, title: str, inputs: Sequence[int], outputs: Sequence[int],
                  steps: int) -> None:
    """One unrolled diagram: inputs x_t (row 0), states h_t (row 1), outputs y_t (row 2)."""
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
    ax.set(xlim=(-0.6, steps - 0.4), ylim=(-0.5, 2.5), aspect="equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def draw_sequence_patterns(steps: int = 4) -> Figure:
    """Unrolled diagrams of the four ways an RNN maps sequences (inputs below, outputs above).

    Every panel uses the same recurrent cell at every step: the boxes of a row share weights.
    """
    fig, axes = plt.subplots(1, len(SEQUENCE_PATTERNS), figsize=(4 * len(SEQUENCE_PATTERNS), 3.2))
    for ax, (title, inputs, outputs) in zip(axes, SEQUENCE_PATTERNS):
        _draw_pattern(ax, title, inputs, outputs, steps)
    fig.suptitle(r"Every step uses the same $W_x$ (up-arrows), $W_h$ (right-arrows) and "
                 r"output weights", fontsize=10, y=0.02)
    fig.tight_layout()
    return fig


# --- gradients through time ------------------------------------------------------------------


def norms_through_time(norms: Mapping[str, ArrayLike], ax: Axes | None = None,
                       title: str = "gradient norm through time",
                       ylabel: str = r"$\|\partial L / \partial h_t\|$",
                       guides: Mapping[str, ArrayLike] | None = None) -> Axes:
    """Gradient norms against the time step on a log scale, one line per label.

    norms[label] has shape (T,): entry t is the norm of the gradient reaching the state of step
    t. With the loss at the last step, read the plot from right to left. A zero or NaN entry
    leaves a gap (zero has no logarithm). `guides` optionally maps labels to reference curves
    of shape (T,), drawn dashed in the same colour (e.g. the prediction ρ^(T-1-t)).
    """
    ax = _axes(ax)
    for name, values in norms.items():
        values = np.asarray(values, dtype=np.float64)
        steps = np.arange(len(values))
        (line,) = ax.semilogy(steps, np.where(values > 0, values, np.nan), label=name)
        if guides is not None and name in guides:
            ax.semilogy(steps, guides[name], "--", color=line.get_color(), linewidth=1,
                        alpha=0.7)
    ax.set(xlabel="time step t", ylabel=ylabel, title=title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


# --- training -------------------------------------------------------------------------------


def training_curves(curves: Mapping[str, ArrayLike], ylabel: str, ax: Axes | None = None,
                    title: str = "", window: int = 1, log: bool = True,
                    xlabel: str = "training iteration") -> Axes:
    """Per-iteration training curves (loss, gradient norm, ...), one line per label.

    curves[label] has shape (S,), one value per iteration (e.g. `history.loss`). With
    window > 1 every curve is drawn as its trailing moving average over `window` iterations
    (`curves.moving_average`). Non-finite values (a run that blew up, iterations never run)
    are left out, so the line simply stops there.
    """
    ax = _axes(ax)
    for name, values in curves.items():
        values = moving_average(values, window)
        shown = np.isfinite(values)
        ax.plot(np.flatnonzero(shown), values[shown], label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def _accuracy_axis(ax: Axes, xlabel: str, ylabel: str, title: str) -> None:
    """Chance level, the common accuracy range, labels and legend."""
    ax.axhline(CHANCE, color="gray", ls=":", lw=1, label="chance")
    ax.set(xlabel=xlabel, ylabel=ylabel, ylim=(0.35, 1.03), title=title)
    ax.legend()


def eval_curves(histories: Mapping[str, History], ax: Axes | None = None,
                title: str = "held-out accuracy") -> Axes:
    """Held-out accuracy against training step, one line per run, with the chance level.

    Each History holds eval_step and eval_accuracy, both of shape (E,): one entry per evaluation.
    """
    ax = _axes(ax)
    for name, history in histories.items():
        ax.plot(history.eval_step, history.eval_accuracy, marker=".", label=name)
    _accuracy_axis(ax, "training step", "accuracy", title)
    return ax


def accuracy_vs_length(lengths: Sequence[int], accuracies: Mapping[str, ArrayLike],
                       ax: Axes | None = None,
                       title: str = "accuracy against dependency length",
                       solved_at: float = 0.95) -> Axes:
    """Mean accuracy (line) and every seed (dots) against the dependency length T.

    lengths has shape (L,); accuracies[name] has shape (L, S): one column per seed. Every dot
    has its own place: the models are shifted sideways from each other and the seeds of a
    model spread out around that, drawn over the lines. Where some but not all seeds of a
    model reach `solved_at`, "k/S solved" is written next to its mean.
    """
    ax = _axes(ax)
    lengths_array = np.asarray(lengths, dtype=np.float64)
    models = len(accuracies)
    for k, (name, acc) in enumerate(accuracies.items()):
        acc = np.asarray(acc, dtype=np.float64).reshape(len(lengths), -1)    # (L, S)
        seeds = acc.shape[1]
        (line,) = ax.plot(lengths, acc.mean(axis=1), marker="o", markersize=4, label=name,
                          zorder=2)
        for s, seed_acc in enumerate(acc.T):                                 # (L,) per seed
            # a log x axis: shifts are factors, the same width at every T
            offset = 0.025 * (k - (models - 1) / 2) + 0.008 * (s - (seeds - 1) / 2)
            ax.scatter(lengths_array * np.exp(offset), seed_acc, s=16, alpha=0.8,
                       color=line.get_color(), edgecolors="white", linewidths=0.5, zorder=3)
        solved = (acc >= solved_at).sum(axis=1)                              # (L,)
        for length, mean, count in zip(lengths_array, acc.mean(axis=1), solved):
            if count < seeds:
                ax.annotate(f"{count}/{seeds} solved", (length, mean), xytext=(6, 0),
                            textcoords="offset points", ha="left", va="center", fontsize=8,
                            color=line.get_color())
    ax.set_xscale("log")
    ax.set_xticks(list(lengths), [str(t) for t in lengths])
    ax.minorticks_off()
    _accuracy_axis(ax, "dependency length T", "held-out accuracy", title)
    return ax


# --- gates ------------------------------------------------------------------------------------


def _heatmap_row(fig: Figure, ax: Axes, name: str, values: np.ndarray, diverging: bool,
                 bound: float | None = None) -> None:
    """values (H, T) as an image with a colour bar: 0..1 for a gate, symmetric around 0 else
    (from -bound to bound; by default the largest magnitude in `values`)."""
    if bound is None:
        bound = max(float(np.abs(values).max()), 1e-6)
    image = ax.imshow(values, aspect="auto", interpolation="nearest",
                      cmap="RdBu_r" if diverging else "viridis",
                      vmin=-bound if diverging else 0.0, vmax=bound if diverging else 1.0)
    ax.set_ylabel(f"{name}\nunit", rotation=0, ha="right", va="center")
    ax.set_yticks(range(values.shape[0]))
    fig.colorbar(image, ax=ax, pad=0.01, fraction=0.03)


def shared_bounds(*activations: Mapping[str, ArrayLike],
                  diverging: Sequence[str] = ("c", "h", "g")) -> dict[str, float]:
    """The colour bound of each name in `diverging` over several sets of activations (the
    largest magnitude in any of them), for `gate_heatmap(..., bounds=...)`: figures drawn
    with the same bounds can be compared colour for colour."""
    return {name: max(max(float(np.abs(np.asarray(a[name])).max()) for a in activations), 1e-6)
            for name in diverging if all(name in a for a in activations)}


def gate_heatmap(activations: Mapping[str, ArrayLike], bits: ArrayLike | None = None,
                 title: str | None = None, diverging: Sequence[str] = ("c", "h", "g"),
                 bounds: Mapping[str, float] | None = None) -> Figure:
    """One heat map per gate: rows are hidden units, columns are time steps.

    activations[name] has shape (T, H). Gates live in [0, 1] (colour scale 0..1); names in
    `diverging` (cell state, candidate, hidden state) get a symmetric scale around 0, from
    -bounds[name] to bounds[name] (by default the largest magnitude in this figure, so two
    figures are only comparable colour for colour when they share `bounds`: see
    `shared_bounds`). `bits` (T,), if given, is printed above the first map so you can line
    inputs up.
    """
    names = list(activations)
    T, H = np.shape(activations[names[0]])
    fig, axes = plt.subplots(len(names), 1, sharex=True, squeeze=False,
                             figsize=(min(14, 2 + 0.22 * T), 1 + (0.9 + 0.12 * H) * len(names)))
    for ax, name in zip(axes[:, 0], names):
        values = np.asarray(activations[name], dtype=np.float64).T          # (H, T)
        _heatmap_row(fig, ax, name, values, name in diverging,
                     None if bounds is None else bounds.get(name))
    if bits is not None:
        for t, bit in enumerate(np.asarray(bits).ravel()):
            axes[0, 0].text(t, -0.9, str(int(bit)), ha="center", va="bottom", fontsize=7)
    axes[-1, 0].set_xlabel("time step t")
    if title:
        fig.suptitle(title, y=1.0)
    fig.tight_layout()
    return fig
