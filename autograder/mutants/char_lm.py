"""Typical mistakes in the `char_lm` assignment, each a patch of the reference solution.

A hint completes "<output> matches what you get when ...". See docs/mutants.md.
"""

from __future__ import annotations

from . import Mutant

M = Mutant
ADD_AT = "np.add.at(dW, x, dout)"
LOSS = "loss = -np.sum(picked * mask_flat) / N"
DX_MASK = "dx_flat *= mask_flat[:, None] / N"
SOFTMAX_P = "probs = softmax(scores / temperature)"  # the code line, not the docstring's

MUTANTS: list[Mutant] = [
    # word_embedding_forward
    M("word_embedding_forward", "transposed_ids",
      "the lookup uses x.T, giving (T, N, D) instead of (N, T, D)",
      [("out = W[x]", "out = W[x.T]")]),
    M("word_embedding_forward", "one_based_ids",
      "the ids are treated as 1-based (W[x - 1]); id i is row i of W",
      [("out = W[x]", "out = W[x - 1]")]),
    M("word_embedding_forward", "flat_output",
      "out is left flat, (N*T, D), instead of reshaped to (N, T, D)",
      [("out = W[x]", "out = W[x.reshape(-1)]")]),
    M("word_embedding_forward", "scaled",
      "the vectors are scaled by sqrt(D) (a Transformer convention, not this layer's)",
      [("out = W[x]", "out = W[x] * np.sqrt(W.shape[1])")]),
    # word_embedding_backward
    M("word_embedding_backward", "fancy_add",
      "dW[x] += dout (or dW[x] = dout) is used: a repeated id keeps only one of its "
      "gradients instead of their sum (np.add.at accumulates)",
      [(ADD_AT, "dW[x] += dout")]),
    M("word_embedding_backward", "loop_over_time",
      "the loop over time steps does dW[x[:, t]] += dout[:, t], which still drops ids "
      "repeated within one time step",
      [(ADD_AT, "for t in range(x.shape[1]):\n        dW[x[:, t]] += dout[:, t]")]),
    M("word_embedding_backward", "averaged_over_batch",
      "dW is divided by the batch size N; the upstream gradient is already averaged",
      [(ADD_AT, "np.add.at(dW, x, dout / x.shape[0])")]),
    M("word_embedding_backward", "mean_of_repeats",
      "a repeated id gets the mean of its gradients instead of their sum",
      [(ADD_AT, ADD_AT + "\n    counts = np.bincount(x.ravel(), minlength=W_shape[0])\n"
                "    dW /= np.maximum(counts, 1)[:, None]")]),
    # temporal_affine_forward
    M("temporal_affine_forward", "no_bias", "the bias b is not added",
      [("out = x @ w + b", "out = x @ w")]),
    M("temporal_affine_forward", "time_major_reshape",
      "the (N, T) axes are mixed up when flattening: rows flattened time-major are "
      "reshaped back batch-major",
      [("out = x @ w + b",
        "out = (x.transpose(1, 0, 2).reshape(-1, x.shape[2]) @ w + b).reshape("
        "x.shape[0], x.shape[1], -1)")]),
    M("temporal_affine_forward", "flat_output",
      "out is left flat, (N*T, M), instead of reshaped to (N, T, M)",
      [("out = x @ w + b", "out = x.reshape(-1, x.shape[2]) @ w + b")]),
    M("temporal_affine_forward", "relu", "a ReLU is applied: this layer is affine only",
      [("out = x @ w + b", "out = np.maximum(0, x @ w + b)")]),
    # temporal_affine_backward
    M("temporal_affine_backward", "db_mean",
      "db is averaged over the N*T positions instead of summed",
      [("db = dout.sum(axis=(0, 1))", "db = dout.mean(axis=(0, 1))")]),
    M("temporal_affine_backward", "db_batch_only",
      "db is summed over the batch only, not over time, giving (T, M)",
      [("db = dout.sum(axis=(0, 1))", "db = dout.sum(axis=0)")]),
    M("temporal_affine_backward", "dw_last_step",
      "dw uses the last time step only; the weights are shared, so every step adds to dw",
      [("dw = x.reshape(N * T, D).T @ dout.reshape(N * T, M)", "dw = x[:, -1].T @ dout[:, -1]")]),
    M("temporal_affine_backward", "dw_transposed",
      "dw is computed as dout^T x, (M, D), instead of x^T dout, (D, M)",
      [("dw = x.reshape(N * T, D).T @ dout.reshape(N * T, M)",
        "dw = dout.reshape(N * T, M).T @ x.reshape(N * T, D)")]),
    M("temporal_affine_backward", "mixed_flatten",
      "x and dout are flattened in different orders (one time-major, one batch-major)",
      [("dw = x.reshape(N * T, D).T", "dw = x.transpose(1, 0, 2).reshape(N * T, D).T")]),
    # temporal_softmax_loss
    M("temporal_softmax_loss", "mean_over_NT",
      "the loss is averaged over N*T positions instead of summed over time and averaged "
      "over the batch N",
      [(LOSS, "loss = -np.sum(picked * mask_flat) / (N * T)"),
       (DX_MASK, "dx_flat *= mask_flat[:, None] / (N * T)")]),
    M("temporal_softmax_loss", "mean_over_mask",
      "the loss is averaged over the unmasked positions instead of over the batch N",
      [(LOSS, "loss = -np.sum(picked * mask_flat) / max(mask_flat.sum(), 1)"),
       (DX_MASK, "dx_flat *= mask_flat[:, None] / max(mask_flat.sum(), 1)")]),
    M("temporal_softmax_loss", "mask_ignored", "the mask is ignored",
      [(LOSS, "loss = -np.sum(picked) / N"), (DX_MASK, "dx_flat /= N")]),
    M("temporal_softmax_loss", "mask_loss_only",
      "the mask is applied to the loss but not to the gradient dx",
      [(DX_MASK, "dx_flat /= N")]),
    M("temporal_softmax_loss", "no_max_shift",
      "the scores are not shifted by their maximum before np.exp, so large scores overflow",
      [("shifted = x_flat - x_flat.max(axis=1, keepdims=True)", "shifted = x_flat")]),
    M("temporal_softmax_loss", "log_of_softmax",
      "the log is taken of the softmax probabilities, which underflow to 0 for large "
      "score gaps (use log-softmax: shifted - log(sum(exp(shifted))))",
      [("log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
        "log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))")]),
    M("temporal_softmax_loss", "no_minus_one",
      "the -1 at the target class is missing from dx (dx = softmax / N)",
      [("dx_flat[np.arange(N * T), y_flat] -= 1", "pass")]),
    # char_lm_loss
    M("char_lm_loss", "targets_are_inputs",
      "the loss is computed against the inputs x instead of the targets y",
      [("temporal_softmax_loss(scores, y,", "temporal_softmax_loss(scores, x,")]),
    M("char_lm_loss", "rnn_resets_state",
      "the chunk starts from a zero state instead of the carried `state` "
      "(the hidden state is reset at every chunk)",
      [('rnn_forward(emb, state, params["Wx"]',
        'rnn_forward(emb, np.zeros_like(state), params["Wx"]')]),
    M("char_lm_loss", "lstm_c_not_returned",
      "the LSTM's final cell state is not carried over (a zero c is returned)",
      [("final_state = (prev_h, prev_c)", "final_state = (prev_h, np.zeros_like(prev_c))")]),
    M("char_lm_loss", "lstm_no_dnext_c",
      "the gradient of the cell state from step t+1 (dnext_c) is dropped in the LSTM loop",
      [("dh[:, t] + dnext_h, dnext_c, rec_cache[t])",
        "dh[:, t] + dnext_h, np.zeros_like(dnext_c), rec_cache[t])")]),
    M("char_lm_loss", "lstm_no_dnext_h",
      "the hidden-state gradient from step t+1 is not added to dh[:, t] in the LSTM loop",
      [("dh[:, t] + dnext_h, dnext_c, rec_cache[t])", "dh[:, t], dnext_c, rec_cache[t])")]),
    M("char_lm_loss", "gru_state_not_carried",
      "the state passed to the next chunk is the one this chunk started from",
      [("""                                   params["bh"])
        final_state = h[:, -1]""", """                                   params["bh"])
        final_state = state""")]),
    # sample
    M("sample", "temperature_after_softmax",
      "the temperature is applied after the softmax (softmax(scores) / temperature, "
      "renormalised), which cancels it: divide the scores before the softmax",
      [(SOFTMAX_P, "probs = softmax(scores) / temperature; probs = probs / probs.sum()")]),
    M("sample", "temperature_multiplied",
      "the scores are multiplied by the temperature instead of divided by it",
      [(SOFTMAX_P, "probs = softmax(scores * temperature)")]),
    M("sample", "start_last_not_fed",
      "the last character of `start` is not fed to the model before generating",
      [("for ch in start:", "for ch in start[:-1]:")]),
    M("sample", "returns_start", "the returned string begins with `start`",
      [('generated = "".join(out)', 'generated = start + "".join(out)')]),
]

# The contracts (dtype follows the inputs, inputs never written, the rng the only source of
# randomness), size-one slips and close-but-wrong normalisations, written as students do.
NONEMPTY_ROWS = "max(1, int(mask.any(axis=1).sum()))"
LSTM_STEP = ("            prev_h, prev_c, step_cache = lstm_step_forward(\n"
             "                emb[:, t], prev_h, prev_c, params[\"Wx\"], params[\"Wh\"], "
             "params[\"b\"])\n")

MUTANTS += [
    M("word_embedding_forward", "float64_output",
      "the looked-up vectors are converted to float64 (.astype(float)) whatever W's dtype",
      [("out = W[x]", "out = W[x].astype(float)")]),
    M("word_embedding_forward", "squeezed",
      "out is squeezed (np.squeeze drops the axes of length one: N = 1, T = 1 or D = 1)",
      [("out = W[x]", "out = np.squeeze(W[x])")]),
    M("word_embedding_forward", "float32_output",
      "the vectors are converted to float32 (a relative error of about 1e-8 in float64, "
      "which the tests see)",
      [("out = W[x]", "out = W[x].astype(np.float32)")]),
    M("word_embedding_backward", "float64_dW",
      "dW is created with np.zeros(W.shape) (float64) instead of dout's dtype",
      [("dW = np.zeros(W_shape, dtype=dout.dtype)", "dW = np.zeros(W_shape)")]),
    M("word_embedding_backward", "squeezed",
      "x and dout are squeezed before np.add.at (np.squeeze drops the axes of length one, "
      "and with D = 1 the gradients no longer line up with the ids)",
      [(ADD_AT, "np.add.at(dW, np.squeeze(x), np.squeeze(dout))")]),
    M("temporal_affine_forward", "float64_output",
      "out is converted to float64 (.astype(np.float64)) whatever the inputs' dtype",
      [("out = x @ w + b", "out = (x @ w + b).astype(np.float64)")]),
    M("temporal_affine_forward", "squeezed",
      "out is squeezed (np.squeeze drops the axes of length one: N = 1, T = 1 or M = 1)",
      [("out = x @ w + b", "out = np.squeeze(x @ w + b)")]),
    M("temporal_affine_forward", "caches_output",
      "the cache keeps the output out instead of the input x, which dw needs",
      [("cache = (x, w)", "cache = (out, w)")]),
    M("temporal_affine_backward", "db_in_float64",
      "db is summed with dtype=np.float64, so it is float64 for float32 inputs",
      [("db = dout.sum(axis=(0, 1))", "db = dout.sum(axis=(0, 1), dtype=np.float64)")]),
    M("temporal_affine_backward", "dw_averaged_over_batch",
      "dw is divided by N: the loss already averages over the batch, the layer must not",
      [("dw = x.reshape(N * T, D).T @ dout.reshape(N * T, M)",
        "dw = x.reshape(N * T, D).T @ dout.reshape(N * T, M) / N")]),
    M("temporal_softmax_loss", "divides_by_nonempty_rows",
      "the loss is divided by the number of rows with at least one unmasked step instead "
      "of N (an all-padding row still counts in the batch average)",
      [(LOSS, f"loss = -np.sum(picked * mask_flat) / {NONEMPTY_ROWS}"),
       (DX_MASK, f"dx_flat *= mask_flat[:, None] / {NONEMPTY_ROWS}")]),
    M("temporal_softmax_loss", "mask_after_sum",
      "the mask is applied after the sum (the sum over every step is scaled by the share of "
      "unmasked steps) instead of to each step's term",
      [(LOSS, "loss = -np.sum(picked) * mask_flat.mean() / N")]),
    M("temporal_softmax_loss", "float64_gradient",
      "dx is computed in float64 (np.exp(log_probs).astype(np.float64)) whatever x's dtype",
      [("dx_flat = np.exp(log_probs)", "dx_flat = np.exp(log_probs).astype(np.float64)")]),
    M("char_lm_loss", "lstm_state_written",
      "the LSTM cell state is updated in place in the array passed in `state` "
      "(prev_c[...] = next_c): the caller's state changes, and every step's cache holds the "
      "same array",
      [(LSTM_STEP, LSTM_STEP.replace("prev_h, prev_c, step_cache", "prev_h, next_c, step_cache")
        + "            prev_c[...] = next_c\n")]),
    M("char_lm_loss", "rnn_state_squeezed",
      "the final state is squeezed (np.squeeze(h[:, -1]) loses the batch axis when N = 1 "
      "and the hidden axis when H = 1)",
      [("params[\"b\"])\n        final_state = h[:, -1]",
        "params[\"b\"])\n        final_state = np.squeeze(h[:, -1])")]),
    M("sample", "own_generator",
      "a generator of its own (np.random.default_rng(0)) is used instead of the rng given: "
      "the text cannot follow the caller's seed",
      [("next_id = int(rng.choice(V, p=probs))",
        "next_id = int(np.random.default_rng(0).choice(V, p=probs))")]),
    M("sample", "extra_draw",
      "something else is drawn from rng besides the one rng.choice per character "
      "(here an rng.random() before it), so the seeded text drifts",
      [("next_id = int(rng.choice(V, p=probs))",
        "rng.random()\n            next_id = int(rng.choice(V, p=probs))")]),
]
