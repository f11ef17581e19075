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
