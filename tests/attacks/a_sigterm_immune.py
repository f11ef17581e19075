"""Ignore SIGTERM and every catchable signal, then spin forever in a thread and in the call."""
CELLS = {"rnn_gradient_norms": '''
import signal, threading
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGALRM):
    signal.signal(_sig, signal.SIG_IGN)
def _spin():
    while True:
        pass
threading.Thread(target=_spin, daemon=False).start()
def rnn_gradient_norms(x, h0, Wx, Wh, b, dout):
    while True:
        pass
'''}
ZERO = ("rnn_gradient_norms",)
STATUS = "timeout"
STOCK_SAFE = False
