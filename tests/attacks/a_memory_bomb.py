"""Allocate memory without end when the function is called."""
CELLS = {"rnn_gradient_norms": '''
import numpy as np
def rnn_gradient_norms(x, h0, Wx, Wh, b, dout):
    hoard = []
    while True:
        hoard.append(np.ones(10**8))
'''}
ZERO = ("rnn_gradient_norms",)
STATUS = "memory limit"
STOCK_SAFE = False
