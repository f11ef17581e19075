"""Typical mistakes in the `lstm` assignment, each a patch of the reference solution.

A hint completes "<output> matches what you get when ...". See docs/mutants.md.
"""

from __future__ import annotations

from . import Mutant

M = Mutant
LSTM_BACK_ARGS = "dh[:, t] + dprev_h, dprev_c, cache[t])"
GATE_GRADS = ("da = np.concatenate([di * i * (1 - i), df * f * (1 - f),\n"
              "                         do * o * (1 - o), dg * (1 - g**2)], axis=1)")
GRU_N = "n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])"
GRU_CALL = "gru_step_backward(dh[:, t] + dprev_h, cache[t])"

MUTANTS: list[Mutant] = [
    # lstm_step_forward
    M("lstm_step_forward", "gate_order_ifgo",
      "the gates are read in the order i, f, g, o; the 4H axis holds i, f, o, g",
      [("gates = sigmoid(a[:, :3 * H])",
        "gates = sigmoid(np.concatenate([a[:, :2 * H], a[:, 3 * H:]], axis=1))"),
       ("g = np.tanh(a[:, 3 * H:])", "g = np.tanh(a[:, 2 * H:3 * H])")]),
    M("lstm_step_forward", "no_tanh_c", "tanh(c) is forgotten in h (next_h = o * next_c)",
      [("next_h = o * tanh_c", "next_h = o * next_c")]),
    M("lstm_step_forward", "input_forget_swapped",
      "the input and forget gates are swapped (next_c = i * prev_c + f * g)",
      [("next_c = f * prev_c + i * g", "next_c = i * prev_c + f * g")]),
    M("lstm_step_forward", "candidate_sigmoid",
      "the candidate g goes through a sigmoid instead of tanh",
      [("g = np.tanh(a[:, 3 * H:])", "g = sigmoid(a[:, 3 * H:])")]),
    M("lstm_step_forward", "forget_times_prev_h",
      "the forget gate multiplies prev_h instead of prev_c",
      [("next_c = f * prev_c + i * g", "next_c = f * prev_h + i * g")]),
    # lstm_step_backward
    M("lstm_step_backward", "no_tanh_c_grad",
      "the derivative of tanh(c) is forgotten in dc (dc = dnext_c + dnext_h * o)",
      [("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)", "dc = dnext_c + dnext_h * o")]),
    M("lstm_step_backward", "no_dnext_c",
      "dnext_c, the gradient arriving along the cell state, is not added to dc",
      [("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)", "dc = dnext_h * o * (1 - tanh_c**2)")]),
    M("lstm_step_backward", "dprev_c_no_forget",
      "dprev_c is missing the forget gate (dprev_c = dc instead of dc * f)",
      [("dprev_c = dc * f", "dprev_c = dc")]),
    M("lstm_step_backward", "gate_order_ifgo",
      "the gate gradients are stacked in the order i, f, g, o; the 4H axis holds i, f, o, g",
      [(GATE_GRADS, "da = np.concatenate([di * i * (1 - i), df * f * (1 - f),\n"
                    "                         dg * (1 - g**2), do * o * (1 - o)], axis=1)")]),
    M("lstm_step_backward", "no_sigmoid_grad",
      "the sigmoid derivative s * (1 - s) of the i, f, o gates is left out",
      [(GATE_GRADS, "da = np.concatenate([di, df, do, dg * (1 - g**2)], axis=1)")]),
    M("lstm_step_backward", "db_mean", "db is averaged over the batch instead of summed",
      [("da.sum(axis=0)", "da.mean(axis=0)")]),
    # lstm_forward
    M("lstm_forward", "c_not_carried",
      "the cell state is not carried: every step starts from c = 0",
      [("prev_h, prev_c, step_cache = lstm_step_forward(",
        "prev_h, _, step_cache = lstm_step_forward(")]),
    M("lstm_forward", "c0_is_h0", "the initial cell state is h0 instead of zeros",
      [("prev_h, prev_c = h0, np.zeros_like(h0)", "prev_h, prev_c = h0, h0")]),
    M("lstm_forward", "stores_c", "h[:, t] stores the cell state c instead of the hidden state",
      [("h[:, t] = prev_h", "h[:, t] = prev_c")]),
    M("lstm_forward", "always_h0",
      "every step starts from h0 instead of the previous hidden state",
      [("lstm_step_forward(x[:, t], prev_h,", "lstm_step_forward(x[:, t], h0,")]),
    M("lstm_forward", "reversed_time", "the sequence is processed from the last step to the first",
      [("for t in range(T):", "for t in reversed(range(T)):")]),
    # lstm_backward
    M("lstm_backward", "no_carry_h",
      "the hidden-state gradient from step t+1 is not added to dh[:, t]",
      [(LSTM_BACK_ARGS, "dh[:, t], dprev_c, cache[t])")]),
    M("lstm_backward", "no_carry_c",
      "the cell-state gradient from step t+1 (dprev_c) is not passed back",
      [(LSTM_BACK_ARGS, "dh[:, t] + dprev_h, np.zeros_like(dprev_c), cache[t])")]),
    M("lstm_backward", "forward_loop",
      "the backward loop runs from the first step to the last instead of from T-1 down to 0",
      [("for t in reversed(range(T)):", "for t in range(T):")]),
    M("lstm_backward", "weights_overwritten",
      "the weight gradients keep only one step's contribution (= instead of +=)",
      [("dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
        "dWx, dWh, db = dWx_t, dWh_t, db_t")]),
    M("lstm_backward", "dh0_is_dc", "dh0 is the cell-state gradient instead of dprev_h",
      [("dh0 = dprev_h", "dh0 = dprev_c")]),
    # gru_step_forward
    M("gru_step_forward", "z_wrong_side",
      "the update gate is applied to the wrong side (z * n + (1 - z) * prev_h); here "
      "h' = (1 - z) * n + z * prev_h, as in PyTorch",
      [("next_h = (1 - z) * n + z * prev_h", "next_h = z * n + (1 - z) * prev_h")]),
    M("gru_step_forward", "reset_on_input_too",
      "the reset gate also multiplies the input part; it scales only h Wh_n + bh_n",
      [(GRU_N, "n = np.tanh(r * (ax[:, 2 * H:] + ah[:, 2 * H:]))")]),
    M("gru_step_forward", "reset_before_matmul",
      "the reset gate is applied to prev_h before the product, (r * prev_h) Wh_n (the "
      "original paper's variant); here it scales h Wh_n + bh_n, as in PyTorch",
      [(GRU_N, "n = np.tanh(ax[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:] + bh[2 * H:])")]),
    M("gru_step_forward", "r_z_swapped",
      "the reset and update gates are swapped; the 3H axis holds r, z, n",
      [("r, z = rz[:, :H], rz[:, H:]", "z, r = rz[:, :H], rz[:, H:]")]),
    M("gru_step_forward", "bh_outside_reset",
      "bh_n is added outside the reset gate; it belongs inside, r * (h Wh_n + bh_n)",
      [(GRU_N, "n = np.tanh(ax[:, 2 * H:] + r * (ah[:, 2 * H:] - bh[2 * H:]) + bh[2 * H:])")]),
    # gru_step_backward
    M("gru_step_backward", "dz_sign", "dz has the wrong sign (n - prev_h instead of prev_h - n)",
      [("dz = dnext_h * (prev_h - n)", "dz = dnext_h * (n - prev_h)")]),
    M("gru_step_backward", "no_direct_path",
      "dprev_h misses the direct path dnext_h * z (h' = ... + z * prev_h)",
      [("dprev_h = dnext_h * z + dah @ Wh.T", "dprev_h = dah @ Wh.T")]),
    M("gru_step_backward", "dah_without_r",
      "the gradient reaching h Wh_n + bh_n is not multiplied by r",
      [("dah = np.concatenate([dar, daz, dan * r], axis=1)",
        "dah = np.concatenate([dar, daz, dan], axis=1)")]),
    M("gru_step_backward", "no_tanh_grad", "the tanh derivative (1 - n**2) is left out",
      [("dan = dn * (1 - n**2)", "dan = dn")]),
    M("gru_step_backward", "dbh_is_dbx",
      "dbh is taken equal to dbx; its candidate part is scaled by r",
      [("dbx, dbh = dax.sum(axis=0), dah.sum(axis=0)",
        "dbx, dbh = dax.sum(axis=0), dax.sum(axis=0)")]),
    M("gru_step_backward", "dn_uses_z", "dn uses z instead of (1 - z)",
      [("dn = dnext_h * (1 - z)", "dn = dnext_h * z")]),
    # gru_forward
    M("gru_forward", "always_h0", "every step starts from h0 instead of the previous state",
      [("gru_step_forward(x[:, t], prev_h,", "gru_step_forward(x[:, t], h0,")]),
    M("gru_forward", "stores_previous_state",
      "h[:, t] stores the state before step t (h0 at t=0) instead of the new one",
      [("        prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, bx, bh)\n"
        "        h[:, t] = prev_h\n",
        "        h[:, t] = prev_h\n"
        "        prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, bx, bh)\n")]),
    M("gru_forward", "reversed_time", "the sequence is processed from the last step to the first",
      [("for t in range(T):", "for t in reversed(range(T)):")]),
    M("gru_forward", "stops_early",
      "the loop stops one step early (range(T - 1)) and the last state is never computed",
      [("for t in range(T):", "for t in range(T - 1):")]),
    # gru_backward
    M("gru_backward", "no_carry", "the gradient from step t+1 is not added to dh[:, t]",
      [(GRU_CALL, "gru_step_backward(dh[:, t], cache[t])")]),
    M("gru_backward", "forward_loop",
      "the backward loop runs from the first step to the last instead of from T-1 down to 0",
      [("for t in reversed(range(T)):", "for t in range(T):")]),
    M("gru_backward", "weights_overwritten",
      "the weight gradients keep only one step's contribution (= instead of +=)",
      [("grads = [total + g for total, g in zip(grads, step_grads)]",
        "grads = list(step_grads)")]),
    M("gru_backward", "dh0_zero",
      "dh0 is left at zero instead of the gradient carried back past step 0",
      [("dh0 = dprev_h", "dh0 = np.zeros_like(dprev_h)")]),
    M("gru_backward", "skips_step_0", "the backward loop stops before step 0 (range(1, T))",
      [("for t in reversed(range(T)):", "for t in reversed(range(1, T)):")]),
]

# The contracts the notebook states (dtype follows the inputs, inputs never written, a
# cache that stays valid): mistakes written the way students write them.
LSTM_BACKWARD_CALL = ("dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(\n"
                      "            dh[:, t] + dprev_h, dprev_c, cache[t])")
GRU_BACKWARD_CALL = f"dx[:, t], dprev_h, *step_grads = {GRU_CALL}"
RESTORE_DH = [("    dh0 = dprev_h\n", "    dh[...] = saved\n    dh0 = dprev_h\n"),
              ("    N, T, H = dh.shape\n", "    N, T, H = dh.shape\n    saved = dh.copy()\n")]

MUTANTS += [
    M("lstm_step_forward", "float64_next_h",
      "next_h is converted to float64 (.astype(np.float64)) whatever the inputs' dtype",
      [("next_h = o * tanh_c", "next_h = (o * tanh_c).astype(np.float64)")]),
    M("lstm_step_forward", "prev_c_scaled_and_restored",
      "prev_c is multiplied in place by the forget gate and restored from a copy afterwards "
      "(an input is written during the call)",
      [("next_c = f * prev_c + i * g",
        "saved = prev_c.copy()\n    prev_c *= f\n    next_c = prev_c + i * g\n"
        "    prev_c[...] = saved")]),
    M("lstm_step_backward", "db_accumulated_in_float64",
      "db is summed with dtype=np.float64, so it is float64 for float32 inputs",
      [("da.sum(axis=0)\n", "da.sum(axis=0, dtype=np.float64)\n")]),
    M("lstm_step_backward", "dnext_c_added_and_restored",
      "the gradient through next_h is added into dnext_c in place and dnext_c restored from a "
      "copy afterwards (an input is written during the call)",
      [("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)",
        "saved = dnext_c.copy()\n    dnext_c += dnext_h * o * (1 - tanh_c**2)\n"
        "    dc = dnext_c.copy()\n    dnext_c[...] = saved")]),
    M("lstm_forward", "float64_buffer",
      "h is created with np.zeros((N, T, H)) (float64) instead of the inputs' dtype",
      [("h = np.zeros((N, T, H), dtype=np.result_type(x, h0, Wx))", "h = np.zeros((N, T, H))")]),
    M("lstm_forward", "states_share_a_buffer",
      "the hidden states are collected as views of one buffer updated in place "
      "(out[...] = prev_h; hs.append(out)), so every h[:, t] ends up as the last state",
      [("        h[:, t] = prev_h\n", "        buffer[...] = prev_h\n        hs.append(buffer)\n"),
       ("    cache = []\n", "    cache, hs, buffer = [], [], np.empty_like(h[:, 0])\n"),
       ("    return h, cache", "    h[...] = np.stack(hs, axis=1)\n    return h, cache")]),
    M("lstm_backward", "dh0_float64",
      "the carried gradients start as np.zeros((N, H)) (float64), so dh0 and the weight "
      "gradients are float64 for float32 inputs",
      [("np.zeros((N, H), dtype=dh.dtype), np.zeros((N, H), dtype=dh.dtype)",
        "np.zeros((N, H)), np.zeros((N, H))")]),
    M("lstm_backward", "dh_added_and_restored",
      "the carried gradient is added into dh in place and dh is restored from a copy at the "
      "end (an input is written during the call)",
      [(LSTM_BACKWARD_CALL, "dh[:, t] += dprev_h\n        dx[:, t], dprev_h, dprev_c, dWx_t, "
        "dWh_t, db_t = lstm_step_backward(\n            dh[:, t], dprev_c, cache[t])"),
       *RESTORE_DH]),
    M("gru_step_forward", "float64_next_h",
      "next_h is converted to float64 (.astype(np.float64)) whatever the inputs' dtype",
      [("next_h = (1 - z) * n + z * prev_h", "next_h = ((1 - z) * n + z * prev_h).astype(float)")]),
    M("gru_step_forward", "prev_h_scaled_and_restored",
      "prev_h is multiplied in place by the update gate and restored from a copy afterwards "
      "(an input is written during the call)",
      [("next_h = (1 - z) * n + z * prev_h",
        "saved = prev_h.copy()\n    prev_h *= z\n    next_h = (1 - z) * n + prev_h\n"
        "    prev_h[...] = saved")]),
    M("gru_step_backward", "biases_in_float64",
      "dbx and dbh are summed with dtype=np.float64, so they are float64 for float32 inputs",
      [("dbx, dbh = dax.sum(axis=0), dah.sum(axis=0)",
        "dbx, dbh = dax.sum(axis=0, dtype=np.float64), dah.sum(axis=0, dtype=np.float64)")]),
    M("gru_step_backward", "dnext_h_scaled_and_restored",
      "dnext_h is multiplied in place by (1 - z) and restored from a copy afterwards (an input "
      "is written during the call)",
      [("dn = dnext_h * (1 - z)",
        "saved = dnext_h.copy()\n    dnext_h *= 1 - z\n    dn = dnext_h.copy()\n"
        "    dnext_h[...] = saved")]),
    M("gru_forward", "float64_buffer",
      "h is created with np.zeros((N, T, H)) (float64) instead of the inputs' dtype",
      [("h = np.zeros((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx))",
        "h = np.zeros((N, T, h0.shape[1]))")]),
    M("gru_forward", "states_share_a_buffer",
      "the state is kept in one buffer updated in place (prev_h[...] = next_h) and that "
      "buffer is appended at every step, so every h[:, t] ends up as the last state",
      [("    prev_h, cache = h0, []\n", "    prev_h, cache, states = h0.copy(), [], []\n"),
       ("        prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, bx, bh)\n"
        "        h[:, t] = prev_h\n",
        "        next_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, bx, bh)\n"
        "        prev_h[...] = next_h\n        states.append(prev_h)\n"),
       ("    return h, cache", "    h[...] = np.stack(states, axis=1)\n    return h, cache")]),
    M("gru_backward", "dh0_float64",
      "dprev_h starts as np.zeros((N, H)) (float64), so dh0 and the weight gradients are "
      "float64 for float32 inputs",
      [("dprev_h = np.zeros((N, H), dtype=dh.dtype)", "dprev_h = np.zeros((N, H))")]),
    M("gru_backward", "dh_added_and_restored",
      "the carried gradient is added into dh in place and dh is restored from a copy at the "
      "end (an input is written during the call)",
      [(GRU_BACKWARD_CALL, "dh[:, t] += dprev_h\n"
        "        dx[:, t], dprev_h, *step_grads = gru_step_backward(dh[:, t], cache[t])"),
       *RESTORE_DH]),
]
