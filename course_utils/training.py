"""A small trainer for recurrent layers written in numpy: optimizers, a read-out head, a loop.

Nothing here is an exercise. You plug in your own recurrent layer: any pair

    forward(x, h0, *cell_params) -> (h, cache)          x (N, T, D), h0 (N, H), h (N, T, H)
    backward(dh, cache) -> (dx, dh0, *cell_grads)        gradients in the order of cell_params

works (`rnn_forward`/`rnn_backward`, `lstm_forward`/`lstm_backward`, `gru_forward`/...).
Gradient clipping is also yours: pass your `clip_grad_norm` as `clip_fn`.

    model = ManyToOne(lstm_forward, lstm_backward, params, cell_params=("Wx", "Wh", "b"))
    history = train(model, next_batch, Adam(lr=1e-2), steps=300, clip_fn=clip_grad_norm)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from .functions import sigmoid
from .runtime import grading_mode

Params = dict[str, np.ndarray]
ClipFn = Callable[[Mapping[str, np.ndarray], float], tuple[Mapping[str, np.ndarray], float]]


# --- optimizers -------------------------------------------------------------------------------


class SGD:
    """Stochastic gradient descent, optionally with momentum; updates params in place."""

    def __init__(self, lr: float = 1e-2, momentum: float = 0.0) -> None:
        self.lr, self.momentum = lr, momentum
        self.velocity: Params = {}

    def step(self, params: Params, grads: Mapping[str, np.ndarray]) -> None:
        for name, grad in grads.items():
            v = self.velocity.get(name, np.zeros_like(params[name]))
            v = self.momentum * v - self.lr * grad
            self.velocity[name] = v
            params[name] += v


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction; updates params in place."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m: Params = {}
        self.v: Params = {}
        self.t = 0

    def step(self, params: Params, grads: Mapping[str, np.ndarray]) -> None:
        self.t += 1
        for name, grad in grads.items():
            m = self.beta1 * self.m.get(name, 0.0) + (1 - self.beta1) * grad
            v = self.beta2 * self.v.get(name, 0.0) + (1 - self.beta2) * grad**2
            self.m[name], self.v[name] = m, v
            m_hat = m / (1 - self.beta1**self.t)   # early averages are biased towards 0
            v_hat = v / (1 - self.beta2**self.t)
            params[name] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# --- many-to-one read-out ---------------------------------------------------------------------


def binary_head_loss(h_last: np.ndarray, W_out: np.ndarray, b_out: np.ndarray,
                     y: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray]:
    """Affine read-out of the final hidden state, sigmoid, mean binary cross-entropy.

    Inputs:
    - h_last: final hidden states, of shape (N, H)
    - W_out: (H, 1), b_out: (1,) read-out weights
    - y: labels in {0, 1}, of shape (N,)

    Returns loss, accuracy, dh_last (N, H), dW_out (H, 1), db_out (1,).
    """
    scores = (h_last @ W_out + b_out)[:, 0]           # (N,)
    y = y.astype(scores.dtype)
    # log(1 + e^s) - y s, written so that no exponential can overflow
    loss = np.mean(np.maximum(scores, 0) - y * scores + np.log1p(np.exp(-np.abs(scores))))
    accuracy = np.mean((scores > 0) == (y > 0.5))
    dscores = ((sigmoid(scores) - y) / len(y))[:, None]   # (N, 1)
    return (float(loss), float(accuracy), dscores @ W_out.T, h_last.T @ dscores,
            dscores.sum(axis=0))


class ManyToOne:
    """A recurrent layer whose last hidden state is classified into two classes.

    `params` holds the cell's weights (named in `cell_params`, in the order the forward
    function takes them) plus the read-out `W_out` (H, 1) and `b_out` (1,). The initial
    hidden state is zero.
    """

    def __init__(self, forward: Callable, backward: Callable, params: Params,
                 cell_params: tuple[str, ...]) -> None:
        missing = [n for n in (*cell_params, "W_out", "b_out") if n not in params]
        if missing:
            raise KeyError(f"params is missing {missing}")
        self.forward, self.backward = forward, backward
        self.params, self.cell_params = params, tuple(cell_params)

    @property
    def hidden_size(self) -> int:
        return self.params["W_out"].shape[0]

    def hidden_states(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        """h (N, T, H) and the layer's cache for a batch x (N, T, D)."""
        h0 = np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype)
        return self.forward(x, h0, *(self.params[n] for n in self.cell_params))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted class (N,) in {0, 1}."""
        h, _ = self.hidden_states(x)
        return ((h[:, -1] @ self.params["W_out"] + self.params["b_out"])[:, 0] > 0).astype(int)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(x) == y))

    def loss(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params, float]:
        """Loss, gradients of every parameter (same keys as params) and batch accuracy."""
        h, cache = self.hidden_states(x)
        loss, accuracy, dh_last, dW_out, db_out = binary_head_loss(
            h[:, -1], self.params["W_out"], self.params["b_out"], y)
        dh = np.zeros_like(h)
        dh[:, -1] = dh_last                       # the loss sees only the final state
        _, _, *cell_grads = self.backward(dh, cache)
        grads = dict(zip(self.cell_params, cell_grads))
        grads.update(W_out=dW_out, b_out=db_out)
        return loss, grads, accuracy


def count_params(params: Mapping[str, np.ndarray]) -> int:
    return int(sum(p.size for p in params.values()))


# --- the loop -----------------------------------------------------------------------------------


@dataclass
class History:
    """Per-step training loss, accuracy and gradient norm (before clipping), plus evaluations.

    Plot a run with `plotting.training_curves({"lstm": history.loss}, "loss", window=20)` and
    `plotting.eval_curves({"lstm": history})`.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    eval_accuracy: list[float] = field(default_factory=list)


def train(model: ManyToOne, next_batch: Callable[[], tuple[np.ndarray, np.ndarray]],
          optimizer: SGD | Adam, steps: int, clip_fn: ClipFn | None = None,
          max_norm: float = 1.0, eval_data: tuple[np.ndarray, np.ndarray] | None = None,
          eval_every: int = 50, stop_at: float | None = None, progress: bool = True,
          desc: str = "train") -> History:
    """Train `model` in place for `steps` updates on batches from `next_batch()`.

    Inputs:
    - model: anything with `.params` and `.loss(x, y) -> (loss, grads, accuracy)`
    - next_batch: returns a fresh (x, y) training batch at every call
    - optimizer: SGD or Adam
    - clip_fn: your `clip_grad_norm(grads, max_norm) -> (clipped, total_norm)`, or None
      for no clipping (the gradient norm is then not recorded: history.grad_norm is NaN)
    - eval_data: (x, y) scored with `model.accuracy` every `eval_every` steps and at the end
    - stop_at: stop early once the evaluation accuracy reaches this value (needs eval_data)
    - progress: show a tqdm bar (never under the autograder)

    Returns the History of the run.
    """
    history = History()
    bar = tqdm(range(steps), desc=desc, disable=not progress or grading_mode(), leave=False)
    for step in bar:
        x, y = next_batch()
        loss, raw_grads, accuracy = model.loss(x, y)
        grads: Mapping[str, np.ndarray] = raw_grads
        norm = float("nan")
        if clip_fn is not None:
            grads, norm = clip_fn(raw_grads, max_norm)
        optimizer.step(model.params, grads)
        history.loss.append(loss)
        history.accuracy.append(accuracy)
        history.grad_norm.append(float(norm))
        last = step == steps - 1
        if eval_data is not None and ((step + 1) % eval_every == 0 or last):
            history.eval_step.append(step + 1)
            history.eval_accuracy.append(model.accuracy(*eval_data))
            if stop_at is not None and history.eval_accuracy[-1] >= stop_at:
                break
        if step % 10 == 0 or last:
            bar.set_postfix(loss=f"{loss:.3f}", acc=f"{accuracy:.2f}")
    bar.close()
    return history
