"""Infinite loop when the function is called."""
CELLS = {"rnn_step_forward": '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    while True:
        pass
'''}
ZERO = ("rnn_step_forward",)
STATUS = "timeout"
STOCK_SKIP = "observed: every hidden-test cell then waits for the cell timeout (loop_call ran over 10 minutes for one submission with a 20 s timeout)"
