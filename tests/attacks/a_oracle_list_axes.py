"""In a retry, call the grader's helper oracle with nested Python lists of floats, each
along its own axis ((n3, 1, 1), (n2, 1) and (n1,)). The wire's measure counts arrays and
integers, not lists of floats, so the case's scale (largest dimension 7) does not stop
them, and the reference's `np.tanh(x @ Wx + prev_h @ Wh + b)` broadcasts them into
n3 * n2 * n1 floats: within the 10,000 nodes of one call, 6.2 G floats (49 GB). Found by an
attacker when the reference ran in the grader process (peak 10.8 GB; in a 4 GB cgroup the
whole batch was killed). The reference now runs in an oracle process limited in memory:
the call is refused there, and the student's retry of rnn_forward fails as it should."""
import os

N1, N2, N3 = (int(v) for v in os.environ.get("LIST_AXES", "1111,1666,3333").split(","))
CELLS = {"rnn_forward": f'''
import numpy as np
def rnn_forward(x, h0, Wx, Wh, b):
    if rnn_step_forward.__code__.co_name == "helper":   # a retry: rnn_step_forward is the grader's
        try:
            rnn_step_forward([[[0.5]]] * {N3}, [[0.5]] * {N2}, np.ones((1, 1)), np.ones((1, 1)),
                             [0.5] * {N1})
        except Exception:
            pass
    raise NotImplementedError
'''}
ZERO = ("rnn_forward",)
STOCK_SAFE = False
