"""Infinite loop when the function is called."""
CELLS = {"rnn_step_forward": '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    while True:
        pass
'''}
ZERO = ("rnn_step_forward",)
STATUS = "timeout"
