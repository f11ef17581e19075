"""Infinite loop at import time: the cell imports a module that never finishes loading."""
CELLS = {"rnn_backward": '''
open("spin_module.py", "w").write("while True:\\n    pass\\n")
import sys
sys.path.insert(0, ".")
import spin_module
<<SOLUTION>>
'''}
ZERO = ("rnn_backward",)
STATUS = "timeout"
STOCK_SKIP = "observed: every hidden-test cell then waits for the cell timeout (loop_call ran over 10 minutes for one submission with a 20 s timeout)"
