"""In a retry, call a correct helper with many size-1 axes that numpy broadcasts into gigabytes inside the grader."""
CELLS = {"rnn_forward": '''
import numpy as np
_done = []
def rnn_forward(x, h0, Wx, Wh, b):
    if rnn_step_forward.__code__.co_name == "helper" and not _done and x.shape[0] > 1:
        _done.append(1)
        k = 8
        def arr(lo):
            shape = [1] * (4 * k)
            for p in range(lo, lo + k):
                shape[p] = 2
            return np.zeros(shape + [1, 1])
        try:
            rnn_step_forward(arr(0), arr(2 * k), arr(k), arr(3 * k), np.zeros(1))
        except Exception:
            pass
    raise NotImplementedError()
'''}
ZERO = ("rnn_forward",)
STOCK_SKIP = "runs only in the kit's retries"
