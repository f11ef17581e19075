"""Typical mistakes in the `rnn` assignment, each a patch of the reference solution.

A hint completes "<output> matches what you get when ...".
"""

from __future__ import annotations

from . import Mutant

M = Mutant

MUTANTS: list[Mutant] = [
    # rnn_step_forward
    M("rnn_step_forward", "no_tanh", "the tanh is left out (next_h = x Wx + prev_h Wh + b)",
      [("np.tanh(x @ Wx + prev_h @ Wh + b)", "(x @ Wx + prev_h @ Wh + b)")]),
    M("rnn_step_forward", "transposed_Wh", "prev_h is multiplied by Wh.T instead of Wh",
      [("prev_h @ Wh", "prev_h @ Wh.T")]),
    M("rnn_step_forward", "no_bias", "the bias b is not added",
      [("prev_h @ Wh + b)", "prev_h @ Wh)")]),
    M("rnn_step_forward", "sigmoid", "a sigmoid is used instead of tanh",
      [("np.tanh(x @ Wx + prev_h @ Wh + b)", "1 / (1 + np.exp(-(x @ Wx + prev_h @ Wh + b)))")]),
    M("rnn_step_forward", "tanh_input_only", "the tanh is applied to x Wx only, "
      "and prev_h Wh + b are added outside it",
      [("np.tanh(x @ Wx + prev_h @ Wh + b)", "np.tanh(x @ Wx) + prev_h @ Wh + b")]),
    # rnn_step_backward
    M("rnn_step_backward", "no_tanh_grad",
      "the tanh derivative (1 - next_h**2) is left out of the chain rule",
      [("da = dnext_h * (1 - next_h**2)", "da = dnext_h * 1.0")]),
    M("rnn_step_backward", "tanh_grad_of_output",
      "the tanh derivative is computed as 1 - tanh(next_h)**2: next_h is already tanh(a), "
      "so the derivative is 1 - next_h**2",
      [("(1 - next_h**2)", "(1 - np.tanh(next_h)**2)")]),
    M("rnn_step_backward", "dWh_from_next_h", "dWh uses next_h where it needs prev_h",
      [("prev_h.T @ da", "next_h.T @ da")]),
    M("rnn_step_backward", "dprev_h_untransposed", "dprev_h uses Wh instead of Wh.T",
      [("da @ Wh.T", "da @ Wh")]),
    M("rnn_step_backward", "db_mean", "db is averaged over the batch instead of summed",
      [("da.sum(0)", "da.mean(0)")]),
    M("rnn_step_backward", "db_not_summed",
      "db is not summed over the batch (it keeps the batch axis)",
      [("da.sum(0)", "da")]),
    M("rnn_step_backward", "dnext_h_in_place",
      "the upstream gradient dnext_h is modified in place (da = dnext_h; da *= ...)",
      [("da = dnext_h * (1 - next_h**2)", "da = dnext_h\n    da *= 1 - next_h**2")]),
    # rnn_forward
    M("rnn_forward", "always_h0", "every step starts from h0 instead of the previous state",
      [("rnn_step_forward(x[:, t], prev,", "rnn_step_forward(x[:, t], h0,")]),
    M("rnn_forward", "stores_previous_state",
      "h[:, t] stores the state before step t (h0 at t=0) instead of the new one",
      [("        prev, c = rnn_step_forward(x[:, t], prev, Wx, Wh, b)\n"
        "        h[:, t] = prev\n",
        "        h[:, t] = prev\n"
        "        prev, c = rnn_step_forward(x[:, t], prev, Wx, Wh, b)\n")]),
    M("rnn_forward", "reversed_time", "the sequence is processed from the last step to the first",
      [("for t in range(T):", "for t in reversed(range(T)):")]),
    M("rnn_forward", "stops_early",
      "the loop stops one step early (range(T - 1)) and the last state stays zero",
      [("for t in range(T):", "for t in range(T - 1):")]),
    # rnn_backward
    M("rnn_backward", "no_carry", "the gradient from step t+1 is not added to dh[:, t]",
      [("rnn_step_backward(dh[:, t] + dprev, cache[t])", "rnn_step_backward(dh[:, t], cache[t])")]),
    M("rnn_backward", "forward_loop",
      "the backward loop runs from the first step to the last instead of from T-1 down to 0",
      [("for t in reversed(range(T)):", "for t in range(T):")]),
    M("rnn_backward", "skips_step_0", "the backward loop stops before step 0 (range(1, T))",
      [("for t in reversed(range(T)):", "for t in reversed(range(1, T)):")]),
    M("rnn_backward", "weights_overwritten",
      "the weight gradients keep only one step's contribution (= instead of +=)",
      [("dWx += a; dWh += b_; db += c", "dWx = a; dWh = b_; db = c")]),
    M("rnn_backward", "dh0_zero", "dh0 is left at zero instead of the gradient carried to step 0",
      [("dh0 = dprev", "dh0 = np.zeros_like(dprev)")]),
    M("rnn_backward", "dh_in_place",
      "the upstream gradient dh is modified in place (dh[:, t] += ...)",
      [("dx[:, t], dprev, a, b_, c = rnn_step_backward(dh[:, t] + dprev, cache[t])",
        "dh[:, t] += dprev\n"
        "        dx[:, t], dprev, a, b_, c = rnn_step_backward(dh[:, t], cache[t])")]),
    # clip_grad_norm
    M("clip_grad_norm", "per_element",
      "each entry is clipped to [-max_norm, max_norm] instead of rescaling every array by "
      "max_norm / (global norm)",
      [("clipped = {k: g * scale for k, g in grads.items()}",
        "clipped = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}")]),
    M("clip_grad_norm", "per_array_norm",
      "each array is rescaled by its own norm instead of the global norm of all of them",
      [("clipped = {k: g * scale for k, g in grads.items()}",
        "clipped = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-12))"
        " for k, g in grads.items()}")]),
    M("clip_grad_norm", "always_rescaled",
      "the gradients are rescaled to max_norm even when their norm is already below it",
      [("scale = min(1.0, max_norm / (total_norm + 1e-12))",
        "scale = max_norm / (total_norm + 1e-12)")]),
    M("clip_grad_norm", "no_sqrt", "the norm is the sum of squares, without the square root",
      [("float(np.sqrt(sum(", "float((sum(")]),
    M("clip_grad_norm", "scales_in_place",
      "the input arrays are scaled in place (g *= scale) instead of returning new ones",
      [("clipped = {k: g * scale for k, g in grads.items()}",
        "for g in grads.values():\n        g *= scale\n    clipped = dict(grads)")]),
]
