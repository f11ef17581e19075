"""os._exit(0) when the graded function is called."""
CELLS = {"rnn_step_forward": '''
import os
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    os._exit(0)
'''}
ZERO = ("rnn_step_forward",)
STATUS = "crashed"
