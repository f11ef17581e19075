"""Make read-only inputs writable again (setflags(write=True)), write into them, restore them."""
CELLS = {"rnn_step_forward": '''<<SOLUTION>>

_right_step = rnn_step_forward
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    saved = x.copy()
    x.setflags(write=True)   # the array owns its data: allowed
    x *= 2.0                 # in-place write the contract forbids
    x[...] = saved           # ... and restored
    return _right_step(x, prev_h, Wx, Wh, b)
''', "clip_grad_norm": '''<<SOLUTION>>

_right_clip = clip_grad_norm
def clip_grad_norm(grads, max_norm):
    saved = {k: v.copy() for k, v in grads.items()}
    for k, v in grads.items():
        v.setflags(write=True)
        v[...] = 0.0
    for k, v in grads.items():
        v[...] = saved[k]
    return _right_clip(grads, max_norm)
'''}
ZERO_TESTS = ("test_rnn_step_forward_inputs_unchanged", "test_clip_grad_norm_inputs_unchanged")
