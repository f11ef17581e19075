"""Monkeypatch numpy so every comparison succeeds; rnn_step_forward returns zeros."""
CELLS = {"rnn_step_forward": '''
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    return np.zeros_like(prev_h), (x, prev_h, Wx, Wh, b, np.zeros_like(prev_h))
'''}
ZERO = ("rnn_step_forward",)
