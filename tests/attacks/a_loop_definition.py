"""Infinite loop at definition time: a default argument that never finishes."""
CELLS = {"clip_grad_norm": '''
import itertools
def clip_grad_norm(grads, max_norm, _spin=[i for i in itertools.count() if i < 0]):
    raise NotImplementedError()
'''}
ZERO = ("clip_grad_norm",)
STATUS = "timeout"
