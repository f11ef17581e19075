"""Weight initialisers: (fan_in, fan_out) matrices for row-vector layers x @ W, and the number
of gate blocks G each recurrent cell stacks side by side in its weights."""

from __future__ import annotations

import numpy as np

# Blocks of H columns in a cell's Wx (D, G*H), Wh (H, G*H) and biases (G*H,): G per cell, one
# block per gate or candidate (the vanilla RNN has the single block of its tanh).
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """Glorot/Xavier normal: keeps activation variance roughly constant through tanh layers."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / (fan_in + fan_out))


def orthogonal(rng: np.random.Generator, size: int, gain: float = 1.0) -> np.ndarray:
    """A random orthogonal (size, size) matrix times `gain`: every singular value is `gain`."""
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return gain * q * np.sign(np.diag(r))  # sign fix makes the distribution uniform


def with_spectral_radius(matrix: np.ndarray, radius: float) -> np.ndarray:
    """`matrix` rescaled so that its largest absolute eigenvalue equals `radius`."""
    current = np.max(np.abs(np.linalg.eigvals(matrix)))
    return matrix * (radius / current)


def identity(size: int, gain: float = 1.0) -> np.ndarray:
    """gain * I: the IRNN initialisation used with ReLU recurrent units."""
    return gain * np.eye(size)
