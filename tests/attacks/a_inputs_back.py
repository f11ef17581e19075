"""Every function hands its inputs back (copies), never modifying them: no side-condition credit."""
CELLS = {
    "rnn_step_forward": "def rnn_step_forward(x, prev_h, Wx, Wh, b):\n    return prev_h.copy(), (x, prev_h)\n",
    "rnn_forward": "def rnn_forward(x, h0, Wx, Wh, b):\n    return x.copy(), (x, h0)\n",
    "clip_grad_norm": "def clip_grad_norm(grads, max_norm):\n    return {k: v.copy() for k, v in grads.items()}, max_norm\n",
}
STUB = ("rnn_step_backward", "rnn_backward", "rnn_gradient_norms", "rnn_truncated_bptt")
ZERO = "all"
