"""Infinite loop at definition time: a default argument that never finishes."""
CELLS = {"clip_grad_norm": '''
import itertools
def clip_grad_norm(grads, max_norm, _spin=[i for i in itertools.count() if i < 0]):
    raise NotImplementedError()
'''}
ZERO = ("clip_grad_norm",)
STATUS = "timeout"
STOCK_SKIP = "observed: every hidden-test cell then waits for the cell timeout (loop_call ran over 10 minutes for one submission with a 20 s timeout)"
