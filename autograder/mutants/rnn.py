"""Typical mistakes in the `rnn` assignment, each a patch of the reference solution.

A hint completes "<output> matches what you get when ...". See docs/mutants.md.
"""

from __future__ import annotations

from . import Mutant

M = Mutant
PRE = "x @ Wx + prev_h @ Wh + b"  # the pre-activation as the solution writes it
STEP_BACKWARD_CALL = "rnn_step_backward(dh[:, t] + dprev_h, cache[t])"
CLIPPED = "clipped = {name: g * scale for name, g in grads.items()}"

MUTANTS: list[Mutant] = [
    # rnn_step_forward
    M("rnn_step_forward", "no_tanh", "the tanh is left out (next_h = x Wx + prev_h Wh + b)",
      [(f"np.tanh({PRE})", f"({PRE})")]),
    M("rnn_step_forward", "transposed_Wh", "prev_h is multiplied by Wh.T instead of Wh",
      [("prev_h @ Wh + b", "prev_h @ Wh.T + b")]),
    M("rnn_step_forward", "no_bias", "the bias b is not added",
      [(f"np.tanh({PRE})", "np.tanh(x @ Wx + prev_h @ Wh)")]),
    M("rnn_step_forward", "sigmoid", "a sigmoid is used instead of tanh",
      [(f"np.tanh({PRE})", f"1 / (1 + np.exp(-({PRE})))")]),
    M("rnn_step_forward", "tanh_input_only",
      "the tanh is applied to x Wx only, and prev_h Wh + b are added outside it",
      [(f"np.tanh({PRE})", "np.tanh(x @ Wx) + prev_h @ Wh + b")]),
    # rnn_step_backward
    M("rnn_step_backward", "no_tanh_grad",
      "the tanh derivative (1 - next_h**2) is left out of the chain rule",
      [("da = dnext_h * (1.0 - next_h ** 2)", "da = dnext_h * 1.0")]),
    M("rnn_step_backward", "tanh_grad_of_output",
      "the tanh derivative is computed as 1 - tanh(next_h)**2: next_h is already tanh(a), "
      "so the derivative is 1 - next_h**2",
      [("(1.0 - next_h ** 2)", "(1.0 - np.tanh(next_h) ** 2)")]),
    M("rnn_step_backward", "dWh_from_next_h", "dWh uses next_h where it needs prev_h",
      [("dWh = prev_h.T @ da", "dWh = next_h.T @ da")]),
    M("rnn_step_backward", "dprev_h_untransposed", "dprev_h uses Wh instead of Wh.T",
      [("dprev_h = da @ Wh.T", "dprev_h = da @ Wh")]),
    M("rnn_step_backward", "db_mean", "db is averaged over the batch instead of summed",
      [("db = da.sum(axis=0)", "db = da.mean(axis=0)")]),
    M("rnn_step_backward", "db_not_summed",
      "db is not summed over the batch (it keeps the batch axis)",
      [("db = da.sum(axis=0)", "db = da")]),
    M("rnn_step_backward", "dnext_h_in_place",
      "the upstream gradient dnext_h is modified in place (da = dnext_h; da *= ...)",
      [("da = dnext_h * (1.0 - next_h ** 2)", "da = dnext_h\n    da *= 1.0 - next_h ** 2")]),
    # rnn_forward
    M("rnn_forward", "always_h0", "every step starts from h0 instead of the previous state",
      [("rnn_step_forward(x[:, t], prev_h,", "rnn_step_forward(x[:, t], h0,")]),
    M("rnn_forward", "stores_previous_state",
      "h[:, t] stores the state before step t (h0 at t=0) instead of the new one",
      [("        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"
        "        h[:, t] = prev_h\n",
        "        h[:, t] = prev_h\n"
        "        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)\n")]),
    M("rnn_forward", "reversed_time", "the sequence is processed from the last step to the first",
      [("for t in range(T):", "for t in reversed(range(T)):")]),
    M("rnn_forward", "stops_early",
      "the loop stops one step early (range(T - 1)) and the last state is never computed",
      [("for t in range(T):", "for t in range(T - 1):"),
       ("h = np.empty(", "h = np.zeros(")]),
    # rnn_backward
    M("rnn_backward", "no_carry", "the gradient from step t+1 is not added to dh[:, t]",
      [(STEP_BACKWARD_CALL, "rnn_step_backward(dh[:, t], cache[t])")]),
    M("rnn_backward", "forward_loop",
      "the backward loop runs from the first step to the last instead of from T-1 down to 0",
      [("for t in reversed(range(T)):", "for t in range(T):")]),
    M("rnn_backward", "skips_step_0", "the backward loop stops before step 0 (range(1, T))",
      [("for t in reversed(range(T)):", "for t in reversed(range(1, T)):"),
       ("dx = np.empty(", "dx = np.zeros(")]),
    M("rnn_backward", "weights_overwritten",
      "the weight gradients keep only one step's contribution (= instead of +=)",
      [("dWx += dWx_t\n        dWh += dWh_t\n        db += db_t",
        "dWx = dWx_t\n        dWh = dWh_t\n        db = db_t")]),
    M("rnn_backward", "dh0_zero",
      "dh0 is left at zero instead of the gradient carried back past step 0",
      [("dh0 = dprev_h", "dh0 = np.zeros_like(dprev_h)")]),
    M("rnn_backward", "dh_in_place",
      "the upstream gradient dh is modified in place (dh[:, t] += ...)",
      [(f"dx[:, t], dprev_h, dWx_t, dWh_t, db_t = {STEP_BACKWARD_CALL}",
        "dh[:, t] += dprev_h\n"
        "        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t], cache[t])")]),
    # rnn_gradient_norms
    M("rnn_gradient_norms", "suffix_one_step_long",
      "the run for step t starts at x[:, t] from h_t, one step too early "
      "(h_t is the state after step t, so the suffix is x[:, t+1:])",
      [("rnn_forward(x[:, t + 1:], h[:, t], Wx, Wh, b)",
        "rnn_forward(x[:, t:], h[:, t], Wx, Wh, b)"),
       ("np.zeros((N, T - 1 - t, h.shape[2])", "np.zeros((N, T - t, h.shape[2])")]),
    M("rnn_gradient_norms", "last_norm_zero",
      "norms[T-1] is left at zero: the gradient of the last state is dout itself",
      [("norms[T - 1] = np.linalg.norm(dout)", "norms[T - 1] = 0.0")]),
    M("rnn_gradient_norms", "dout_at_every_step",
      "dout is fed as the upstream gradient of every step instead of the last step only",
      [("dh[:, -1] = dout", "dh[:, :] = dout[:, None]")]),
    M("rnn_gradient_norms", "norm_of_dx",
      "the norm is taken of dx (the gradient of the inputs) instead of dh0",
      [("_, dh_t, _, _, _ = rnn_backward(dh, cache)",
        "dh_t, _, _, _, _ = rnn_backward(dh, cache)")]),
    M("rnn_gradient_norms", "mean_over_batch",
      "the norm is averaged over the examples instead of taken over the whole batch",
      [("norms[t] = np.linalg.norm(dh_t)", "norms[t] = np.linalg.norm(dh_t, axis=1).mean()"),
       ("norms[T - 1] = np.linalg.norm(dout)",
        "norms[T - 1] = np.linalg.norm(dout, axis=1).mean()")]),
    M("rnn_gradient_norms", "reversed_order",
      "the norms are stored in reverse order (norms[0] should belong to the first step)",
      [("    return norms", "    return norms[::-1].copy()")]),
    # clip_grad_norm
    M("clip_grad_norm", "per_element",
      "each entry is clipped to [-max_norm, max_norm] instead of rescaling every array by "
      "max_norm / (global norm)",
      [(CLIPPED,
        "clipped = {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}")]),
    M("clip_grad_norm", "per_array_norm",
      "each array is rescaled by its own norm instead of the global norm of all of them",
      [(CLIPPED, "clipped = {name: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-12))"
                 " for name, g in grads.items()}")]),
    M("clip_grad_norm", "always_rescaled",
      "the gradients are rescaled to max_norm even when their norm is already below it",
      [("scale = max_norm / total_norm if total_norm > max_norm else 1.0",
        "scale = max_norm / total_norm")]),
    M("clip_grad_norm", "no_sqrt", "the norm is the sum of squares, without the square root",
      [("total_norm = float(np.sqrt(", "total_norm = float((")]),
    M("clip_grad_norm", "scales_in_place",
      "the input arrays are scaled in place (g *= scale) instead of returning new ones",
      [(CLIPPED, "for g in grads.values():\n        g *= scale\n    clipped = dict(grads)")]),
    M("clip_grad_norm", "norm_after_clipping",
      "total_norm is reported after clipping instead of before",
      [("    return clipped, total_norm", "    total_norm = min(total_norm, max_norm)\n"
                                          "    return clipped, total_norm")]),
    # rnn_truncated_bptt
    M("rnn_truncated_bptt", "whole_sequence",
      "the gradient is not stopped at chunk borders (this is full BPTT over the whole sequence)",
      [("for start in range(0, T, k):", "for start in range(0, T, T):")]),
    M("rnn_truncated_bptt", "resets_h",
      "each chunk starts again from h0 instead of the last state of the previous chunk",
      [("start_h = h_chunk[:, -1]", "start_h = h0")]),
    M("rnn_truncated_bptt", "weights_from_last_chunk",
      "the weight gradients keep only the last chunk's contribution (= instead of +=)",
      [("dWx += dWx_c\n        dWh += dWh_c\n        db += db_c",
        "dWx = dWx_c\n        dWh = dWh_c\n        db = db_c")]),
    M("rnn_truncated_bptt", "first_chunk_dh",
      "every chunk is backpropagated with the first chunk's slice of dh instead of its own",
      [("rnn_backward(dh[:, start:stop], cache)", "rnn_backward(dh[:, :stop - start], cache)")]),
]

# The contracts the notebook states (dtype follows the inputs, inputs never written, new
# arrays returned, a cache that stays valid), the size-one slips and close-but-wrong
# normalisations: mistakes written the way students write them.
MUTANTS += [
    M("rnn_step_forward", "float64_output",
      "next_h is converted to float64 (np.float64(...) or .astype(float)) whatever the "
      "inputs' dtype",
      [(f"next_h = np.tanh({PRE})", f"next_h = np.tanh({PRE}).astype(np.float64)")]),
    M("rnn_step_forward", "Wh_scaled_and_restored",
      "Wh is scaled in place for the product and restored afterwards (an input is written, "
      "even if it ends up with its old values)",
      [(f"next_h = np.tanh({PRE})",
        "saved = Wh.copy()\n    Wh *= 2.0\n    next_h = np.tanh(x @ Wx + prev_h @ (Wh / 2.0) + b)"
        "\n    Wh[...] = saved")]),
    M("rnn_step_backward", "db_accumulated_in_float64",
      "db is summed with dtype=np.float64, so it is float64 for float32 inputs",
      [("db = da.sum(axis=0)", "db = da.sum(axis=0, dtype=np.float64)")]),
    M("rnn_step_backward", "dnext_h_scaled_and_restored",
      "dnext_h is multiplied in place by the tanh derivative and restored from a copy "
      "afterwards (an input is written during the call)",
      [("da = dnext_h * (1.0 - next_h ** 2)",
        "saved = dnext_h.copy()\n    dnext_h *= 1.0 - next_h ** 2\n    da = dnext_h.copy()\n"
        "    dnext_h[...] = saved")]),
    M("rnn_forward", "float64_buffer",
      "h is created with np.zeros((N, T, H)) (float64) instead of the inputs' dtype",
      [("h = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx, Wh, b))",
        "h = np.zeros((N, T, H))")]),
    M("rnn_forward", "states_share_a_buffer",
      "the state is kept in one buffer updated in place (prev_h[...] = next_h) and that "
      "buffer is appended at every step, so every h[:, t] ends up as the last state",
      [("    prev_h = h0\n", "    prev_h = h0.copy()\n    states = []\n"),
       ("        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"
        "        h[:, t] = prev_h\n",
        "        next_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"
        "        prev_h[...] = next_h\n        states.append(prev_h)\n"),
       ("    return h, cache", "    h[...] = np.stack(states, axis=1)\n    return h, cache")]),
    M("rnn_backward", "dh0_float64",
      "dprev_h starts as np.zeros((N, H)) (float64), so dh0 is float64 for float32 inputs",
      [("dprev_h = np.zeros((N, H), dtype=dh.dtype)", "dprev_h = np.zeros((N, H))")]),
    M("rnn_backward", "dh_added_and_restored",
      "the carried gradient is added into dh in place and dh is restored from a copy at the "
      "end (an input is written during the call)",
      [(f"dx[:, t], dprev_h, dWx_t, dWh_t, db_t = {STEP_BACKWARD_CALL}",
        "dh[:, t] += dprev_h\n"
        "        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t], cache[t])"),
       ("    dh0 = dprev_h\n", "    dh[...] = saved\n    dh0 = dprev_h\n"),
       ("    N, T, H = dh.shape\n", "    N, T, H = dh.shape\n    saved = dh.copy()\n")]),
    M("rnn_gradient_norms", "rms_over_batch",
      "the norm is divided by sqrt(N) (a root mean square over the examples) instead of the "
      "Frobenius norm over the whole batch",
      [("norms[t] = np.linalg.norm(dh_t)", "norms[t] = np.linalg.norm(dh_t) / np.sqrt(N)"),
       ("norms[T - 1] = np.linalg.norm(dout)",
        "norms[T - 1] = np.linalg.norm(dout) / np.sqrt(N)")]),
    M("rnn_gradient_norms", "squeezed_state",
      "the state h[:, t] is squeezed (np.squeeze drops the batch axis when N = 1, and the "
      "hidden axis when H = 1)",
      [("rnn_forward(x[:, t + 1:], h[:, t], Wx, Wh, b)",
        "rnn_forward(x[:, t + 1:], np.squeeze(h[:, t]), Wx, Wh, b)")]),
    M("clip_grad_norm", "returns_inputs_when_small",
      "the gradients themselves are returned when no clipping is needed, instead of new arrays "
      "(the caller's update of the result would change its gradients)",
      [(CLIPPED,
        "clipped = {name: g * scale if scale != 1.0 else g for name, g in grads.items()}")]),
    M("clip_grad_norm", "epsilon_in_norm",
      "a small epsilon is added to the norm (max_norm / (total_norm + 1e-6)): the clipped "
      "norm is close to max_norm but not equal to it",
      [("scale = max_norm / total_norm if", "scale = max_norm / (total_norm + 1e-6) if")]),
    M("rnn_truncated_bptt", "float64_accumulators",
      "the weight gradients are accumulated in np.zeros(W.shape) (float64) instead of the "
      "inputs' dtype",
      [("dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)",
        "dWx, dWh, db = np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(b.shape)")]),
    M("rnn_truncated_bptt", "chunks_averaged",
      "the weight gradients are averaged over the chunks instead of summed",
      [("    h = np.concatenate(h_chunks, axis=1)\n",
        "    dWx, dWh, db = dWx / len(h_chunks), dWh / len(h_chunks), db / len(h_chunks)\n"
        "    h = np.concatenate(h_chunks, axis=1)\n")]),
]
