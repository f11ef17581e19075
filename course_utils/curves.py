"""Plotting helpers for the labs: learning curves, accuracy against length, gradient norms
through time and gate heat maps. Each takes an optional matplotlib Axes and returns it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .training import History


def _axes(ax: plt.Axes | None, figsize: tuple[float, float] = (6, 3.5)) -> plt.Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def learning_curves(histories: Mapping[str, History], metric: str = "loss", window: int = 20,
                    ax: plt.Axes | None = None, title: str | None = None) -> plt.Axes:
    """Moving average of a per-step metric ("loss", "accuracy" or "grad_norm") per run."""
    ax = _axes(ax)
    for name, history in histories.items():
        ax.plot(history.smoothed(metric, window), label=name)
    ax.set(xlabel="training step", ylabel=f"{metric} (moving average of {window})",
           title=title or f"training {metric}")
    if metric == "grad_norm":
        ax.set_yscale("log")
    ax.legend()
    return ax


def eval_curves(histories: Mapping[str, History], ax: plt.Axes | None = None,
                title: str = "held-out accuracy") -> plt.Axes:
    """Evaluation accuracy against training step per run, with the chance level."""
    ax = _axes(ax)
    for name, history in histories.items():
        ax.plot(history.eval_step, history.eval_accuracy, marker=".", label=name)
    ax.axhline(0.5, color="gray", ls=":", lw=1, label="chance")
    ax.set(xlabel="training step", ylabel="accuracy", ylim=(0.35, 1.03), title=title)
    ax.legend()
    return ax


def accuracy_vs_length(lengths: Sequence[int], accuracies: Mapping[str, np.ndarray],
                       ax: plt.Axes | None = None,
                       title: str = "accuracy against dependency length") -> plt.Axes:
    """Mean accuracy (line) and every seed (dots) against T; accuracies[name] is (len(T), S)."""
    ax = _axes(ax)
    for k, (name, acc) in enumerate(accuracies.items()):
        acc = np.asarray(acc, dtype=np.float64).reshape(len(lengths), -1)
        line, = ax.plot(lengths, acc.mean(axis=1), marker="o", label=name)
        jitter = (k - (len(accuracies) - 1) / 2) * 0.015 * np.asarray(lengths)
        for s in range(acc.shape[1]):
            ax.scatter(np.asarray(lengths) + jitter, acc[:, s], s=12, alpha=0.45,
                       color=line.get_color())
    ax.axhline(0.5, color="gray", ls=":", lw=1, label="chance")
    ax.set_xscale("log")
    ax.set_xticks(list(lengths), [str(t) for t in lengths])
    ax.minorticks_off()
    ax.set(xlabel="dependency length T", ylabel="held-out accuracy", ylim=(0.35, 1.03),
           title=title)
    ax.legend()
    return ax


def norms_through_time(norms: Mapping[str, np.ndarray], ax: plt.Axes | None = None,
                       title: str = "gradient norm through time",
                       ylabel: str = r"$\|\partial L / \partial \cdot_t\|$") -> plt.Axes:
    """Each series (T,) against t on a log scale; the loss sits at the last step."""
    ax = _axes(ax)
    for name, values in norms.items():
        values = np.asarray(values, dtype=np.float64)
        ax.semilogy(np.arange(len(values)), np.maximum(values, 1e-30), label=name)
    ax.set(xlabel="time step t", ylabel=ylabel, title=title)
    ax.legend()
    return ax


def gate_heatmap(activations: Mapping[str, np.ndarray], bits: np.ndarray | None = None,
                 title: str | None = None, diverging: Sequence[str] = ("c", "h", "g"),
                 ) -> plt.Figure:
    """One heat map per gate: rows are hidden units, columns are time steps.

    activations[name] has shape (T, H). Gates live in [0, 1] (colour scale 0..1); names in
    `diverging` (cell state, candidate, hidden state) get a symmetric scale around 0.
    `bits` (T,), if given, is printed above the first map so you can line inputs up.
    """
    names = list(activations)
    T, H = np.asarray(activations[names[0]]).shape
    fig, axes = plt.subplots(len(names), 1, figsize=(min(14, 2 + 0.22 * T), 1 + 0.9 * len(names)
                                                     + 0.12 * H * len(names)),
                             sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        values = np.asarray(activations[name], dtype=np.float64).T   # (H, T)
        if name in diverging:
            bound = max(float(np.abs(values).max()), 1e-6)
            image = ax.imshow(values, aspect="auto", cmap="RdBu_r", vmin=-bound, vmax=bound,
                              interpolation="nearest")
        else:
            image = ax.imshow(values, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                              interpolation="nearest")
        ax.set_ylabel(f"{name}\nunit", rotation=0, ha="right", va="center")
        ax.set_yticks(range(H))
        fig.colorbar(image, ax=ax, pad=0.01, fraction=0.03)
    if bits is not None:
        top = axes[0, 0]
        for t, bit in enumerate(np.asarray(bits).ravel()):
            top.text(t, -0.9, str(int(bit)), ha="center", va="bottom", fontsize=7)
    axes[-1, 0].set_xlabel("time step t")
    if title:
        fig.suptitle(title, y=1.0)
    fig.tight_layout()
    return fig
