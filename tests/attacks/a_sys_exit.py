"""sys.exit() while the cell runs and when the function is called."""
CELLS = {"rnn_forward": '''
import sys
def rnn_forward(x, h0, Wx, Wh, b):
    sys.exit(0)
sys.exit(0)
'''}
ZERO = ("rnn_forward",)
