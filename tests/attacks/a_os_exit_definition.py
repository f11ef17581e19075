"""os._exit(0) while the answer cell runs, after defining a correct function."""
CELLS = {"rnn_gradient_norms": '''<<SOLUTION>>

import os
os._exit(0)
'''}
ZERO = ("rnn_gradient_norms",)
STATUS = "crashed"
