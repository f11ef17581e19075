"""In a retry, call a correct helper (answered by the grader) with arguments built to make the grader compute and hold gigabytes."""
CELLS = {"rnn_backward": '''
import numpy as np
def rnn_backward(dh, cache):
    if rnn_forward.__code__.co_name == "helper":  # a retry: rnn_forward is answered by the grader
        H, T = 1998, 60
        for args in ((np.zeros((1, T, 0)), np.zeros((1, H)), np.zeros((0, H)), np.zeros((H, H)), np.zeros(H)),
                     (np.zeros((1, 10**6, 0)), np.zeros((1, 1)), np.zeros((0, 1)), np.zeros((1, 1)), np.zeros(1))):
            try:
                rnn_forward(*args)
            except Exception:
                pass
        try:
            rnn_step_forward(np.zeros((5000, 1)), np.zeros((5000, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
                             np.zeros(10000))
        except Exception:
            pass
    raise NotImplementedError()
'''}
ZERO = ("rnn_backward",)
STOCK_SKIP = "runs only in the kit's retries"
