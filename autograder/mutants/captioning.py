"""Typical mistakes in the `captioning` assignment, each a patch of the reference solution.

A hint completes "<output> matches what you get when ...". See docs/mutants.md.
"""

from __future__ import annotations

from . import Mutant

M = Mutant

# dot_product_attention_forward
SCORES = 'scores = np.einsum("nhk,nh->nk", A_flat, prev_h) / math.sqrt(H)  # (N, P*P)'
NORMALISE = "weights /= weights.sum(axis=1, keepdims=True)"
# dot_product_attention_backward
DWEIGHTS = ('dweights = np.einsum("nhk,nh->nk", A_flat, dattn) + '
            'dattn_weights.reshape(N, P * P)')
DSOFTMAX = ("dscores = weights * (dweights - np.sum(weights * dweights, axis=1, "
            "keepdims=True))")
DSCALE = "dscores = dscores / math.sqrt(H)"
DA_SCORES = 'dA_flat = dA_flat + np.einsum("nh,nk->nhk", prev_h, dscores)'
# attention_lstm_step_forward
PRE = "    a = x @ Wx + prev_h @ Wh + attn @ Wattn + b"
# attention_lstm_step_backward
DC = "dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)"
DA_GATES = ("da = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o),\n"
            "                         dg * (1 - g ** 2)], axis=1)")
# attention_lstm_forward
H0 = "h0 = A.mean(axis=(2, 3))"
ATTEND = "attn, _, attn_cache = dot_product_attention_forward(prev_h, A)"
# attention_lstm_backward
MEAN_GRAD = "dA = dA + ((dprev_h + dprev_c) / (P * P))[:, :, None, None]"
STEP_BACK = "attention_lstm_step_backward(dh[:, t] + dprev_h, dprev_c, step_cache)"
# captioning_loss
SPLIT = "captions_in, captions_out = captions[:, :-1], captions[:, 1:]"
MASK = "mask = captions_out != NULL"
LOSS = "loss, dscores = temporal_softmax_loss(scores, captions_out, mask)"
RNN_DA = "dA = np.broadcast_to((dh0 / (P * P))[:, :, None, None], A.shape)"
# sample_greedy
RECORD = "captions[:, t] = np.where(done, NULL, words)"
STEP = "scores, state, _ = decoder_step(params, state, words, cell)"
# beam_search
KEEP = ("""            if words[index][-1] == END:
                finished.append((words[index], totals[index]))
            else:
                live.append((words[index], totals[index], states[index]))""")
ORDER = 'order = np.argsort(-np.array(totals), kind="stable")[:beam_width]'
NORMALISED = "scores = [logp / len(ids) for ids, logp in hypotheses]"

MUTANTS: list[Mutant] = [
    # dot_product_attention_forward
    M("dot_product_attention_forward", "no_scale",
      "the scores are not divided by sqrt(H) (A^T prev_h instead of A^T prev_h / sqrt(H))",
      [(SCORES, 'scores = np.einsum("nhk,nh->nk", A_flat, prev_h)')]),
    M("dot_product_attention_forward", "scale_by_H",
      "the scores are divided by H instead of sqrt(H)",
      [(SCORES, 'scores = np.einsum("nhk,nh->nk", A_flat, prev_h) / H')]),
    M("dot_product_attention_forward", "softmax_over_batch",
      "the softmax normalises over the batch axis (axis 0) instead of over the P*P "
      "positions of each image",
      [(NORMALISE, "weights /= weights.sum(axis=0, keepdims=True)")]),
    M("dot_product_attention_forward", "no_max_shift",
      "the scores are not shifted by their maximum before np.exp, so large scores overflow",
      [("scores = scores - scores.max(axis=1, keepdims=True)  # no overflow in exp",
        "pass")]),
    M("dot_product_attention_forward", "column_major_positions",
      "the P*P positions are flattened column by column (A.transpose(0, 1, 3, 2)) but the "
      "weights are reshaped back row by row, so attn_weights comes out transposed",
      [("A_flat = A.reshape(N, H, P * P)",
        "A_flat = A.transpose(0, 1, 3, 2).reshape(N, H, P * P)")]),
    M("dot_product_attention_forward", "unnormalised_weights",
      "the weights are exp(scores) without the division by their sum (no softmax "
      "normalisation)",
      [(NORMALISE, "pass")]),
    M("dot_product_attention_forward", "float64_scale",
      "the scale is np.sqrt(H), a float64 NumPy scalar, which makes float32 scores float64 "
      "(math.sqrt(H) is a Python float and keeps the inputs' dtype)",
      [(SCORES, 'scores = np.einsum("nhk,nh->nk", A_flat, prev_h) / np.sqrt(H)')]),
    # dot_product_attention_backward
    M("dot_product_attention_backward", "no_scale",
      "the gradient of the scores is not divided by sqrt(H)",
      [(DSCALE, "pass")]),
    M("dot_product_attention_backward", "softmax_diagonal_only",
      "the softmax backward keeps only the diagonal of its Jacobian "
      "(dscores = w * dw, without the - sum_j w_j dw_j term)",
      [(DSOFTMAX, "dscores = weights * dweights")]),
    M("dot_product_attention_backward", "softmax_backward_over_batch",
      "the sum in the softmax backward runs over the batch axis (axis 0) instead of over "
      "the positions",
      [(DSOFTMAX, DSOFTMAX.replace("axis=1", "axis=0"))]),
    M("dot_product_attention_backward", "dA_weighted_sum_only",
      "dA only has the gradient through the weighted sum, not the one through the scores "
      "(A is used twice: as keys and as values)",
      [(DA_SCORES, "pass")]),
    M("dot_product_attention_backward", "dA_scores_only",
      "dA only has the gradient through the scores, not the one through the weighted sum "
      "(A is used twice: as keys and as values)",
      [('dA_flat = np.einsum("nh,nk->nhk", dattn, weights)  # through the weighted sum',
        "dA_flat = 0")]),
    M("dot_product_attention_backward", "dattn_weights_ignored",
      "the upstream gradient dattn_weights is ignored (only dattn flows back)",
      [(DWEIGHTS, 'dweights = np.einsum("nhk,nh->nk", A_flat, dattn)')]),
    # attention_lstm_step_forward
    M("attention_lstm_step_forward", "no_attention",
      "the attention term attn @ Wattn is left out of the gate pre-activation",
      [(PRE, "    a = x @ Wx + prev_h @ Wh + b")]),
    M("attention_lstm_step_forward", "attention_through_Wh",
      "the attention vector goes through Wh instead of Wattn",
      [(PRE, "    a = x @ Wx + prev_h @ Wh + attn @ Wh + b")]),
    M("attention_lstm_step_forward", "gates_ifgo",
      "the gates are read in the order i, f, g, o instead of i, f, o, g",
      [("o = sigmoid(a[:, 2 * H:3 * H])\n    g = np.tanh(a[:, 3 * H:])",
        "o = sigmoid(a[:, 3 * H:])\n    g = np.tanh(a[:, 2 * H:3 * H])")]),
    M("attention_lstm_step_forward", "h_without_tanh",
      "next_h = o * next_c (the tanh of the cell state is missing)",
      [("next_h = o * tanh_c", "next_h = o * next_c")]),
    M("attention_lstm_step_forward", "no_input_gate",
      "next_c = f * prev_c + g (the input gate i is not applied to g)",
      [("next_c = f * prev_c + i * g\n", "next_c = f * prev_c + g\n")]),
    # attention_lstm_step_backward
    M("attention_lstm_step_backward", "no_dnext_c",
      "the upstream gradient dnext_c is not added to the cell-state gradient",
      [(DC, "dc = dnext_h * o * (1 - tanh_c ** 2)")]),
    M("attention_lstm_step_backward", "dattn_through_Wh",
      "dattn is computed with Wh instead of Wattn (da @ Wh.T)",
      [("dattn = da @ Wattn.T", "dattn = da @ Wh.T")]),
    M("attention_lstm_step_backward", "dWattn_from_prev_h",
      "dWattn is computed from prev_h instead of attn (prev_h.T @ da)",
      [("dWattn = attn.T @ da", "dWattn = prev_h.T @ da")]),
    M("attention_lstm_step_backward", "gates_ifgo",
      "the gate gradients are concatenated in the order i, f, g, o instead of i, f, o, g",
      [(DA_GATES, "da = np.concatenate([di * i * (1 - i), df * f * (1 - f), "
                  "dg * (1 - g ** 2),\n                         do * o * (1 - o)], axis=1)")]),
    M("attention_lstm_step_backward", "g_sigmoid_derivative",
      "the derivative of g = tanh(.) is taken as the sigmoid's, g * (1 - g)",
      [("dg * (1 - g ** 2)], axis=1)", "dg * g * (1 - g)], axis=1)")]),
    M("attention_lstm_step_backward", "tanh_c_derivative",
      "the tanh derivative of the cell state is left out (dc = dnext_c + dnext_h * o)",
      [(DC, "dc = dnext_c + dnext_h * o")]),
    # attention_lstm_forward
    M("attention_lstm_forward", "zero_initial_state",
      "h0 and c0 are zeros instead of the spatial mean of A",
      [(H0, "h0 = np.zeros(A.shape[:2], dtype=A.dtype)")]),
    M("attention_lstm_forward", "zero_c0",
      "c0 is zeros (as in the mean-feature LSTM) instead of the spatial mean of A",
      [("prev_h, prev_c = h0, h0", "prev_h, prev_c = h0, np.zeros_like(h0)")]),
    M("attention_lstm_forward", "sum_not_mean",
      "h0 = c0 is the spatial sum of A instead of its mean",
      [(H0, "h0 = A.sum(axis=(2, 3))")]),
    M("attention_lstm_forward", "mean_of_mixed_axes",
      "A is reshaped to (N, P*P, H) without moving the feature axis, which mixes features "
      "and positions, before the mean over the positions",
      [(H0, "h0 = A.reshape(A.shape[0], -1, A.shape[1]).mean(axis=1)")]),
    M("attention_lstm_forward", "query_is_h0",
      "every step's attention uses h0 as its query instead of the previous hidden state",
      [(ATTEND, "attn, _, attn_cache = dot_product_attention_forward(h0, A)")]),
    M("attention_lstm_forward", "returns_cell_states",
      "h collects the cell states next_c instead of the hidden states next_h",
      [("hs.append(prev_h)", "hs.append(prev_c)")]),
    # attention_lstm_backward
    M("attention_lstm_backward", "no_attention_into_dprev_h",
      "the gradient through the attention query is not added to dprev_h (prev_h is used "
      "twice: by the LSTM step and as the query of that step's attention)",
      [("dprev_h = dprev_h + dh_attn", "pass")]),
    M("attention_lstm_backward", "no_initial_state_gradient",
      "the gradient of h0 = c0 = mean of A is not added to dA",
      [(MEAN_GRAD, "pass")]),
    M("attention_lstm_backward", "initial_state_h_only",
      "only dh0 reaches dA through the spatial mean, not dc0 (c0 is also the mean of A)",
      [(MEAN_GRAD, "dA = dA + (dprev_h / (P * P))[:, :, None, None]")]),
    M("attention_lstm_backward", "mean_gradient_not_divided",
      "the gradient of the spatial mean is not divided by the P*P positions",
      [(MEAN_GRAD, "dA = dA + (dprev_h + dprev_c)[:, :, None, None]")]),
    M("attention_lstm_backward", "no_dh_carry",
      "the hidden-state gradient from step t+1 is not added to dh[:, t]",
      [(STEP_BACK, "attention_lstm_step_backward(dh[:, t], dprev_c, step_cache)")]),
    M("attention_lstm_backward", "dA_last_step_only",
      "dA keeps only one step's attention gradient (dA = dA_t) instead of the sum over steps",
      [("dA = dA + dA_t", "dA = dA_t")]),
    # captioning_loss
    M("captioning_loss", "targets_not_shifted",
      "the targets are not shifted: the model reads captions[:, :-1] and is asked to "
      "predict the same captions[:, :-1] (the word it has just read)",
      [(SPLIT, "captions_in, captions_out = captions[:, :-1], captions[:, :-1]")]),
    M("captioning_loss", "no_mask",
      "the <NULL> padding is not masked (mask all True)",
      [(MASK, "mask = np.ones(captions_out.shape, dtype=bool)")]),
    M("captioning_loss", "mask_from_inputs",
      "the mask is taken from the inputs captions[:, :-1] instead of the targets "
      "captions[:, 1:]",
      [(MASK, "mask = captions_in != NULL")]),
    M("captioning_loss", "per_token_average",
      "the loss is averaged over the non-<NULL> target words instead of over the batch N",
      [(LOSS, LOSS + "\n    scale = captions.shape[0] / max(1, mask.sum())\n"
              "    loss, dscores = loss * scale, dscores * scale")]),
    M("captioning_loss", "image_not_used",
      "the decoder starts from h0 = 0 (the image never reaches the rnn/lstm decoder)",
      [("h0 = A.mean(axis=(2, 3))", "h0 = np.zeros(A.shape[:2])")]),
    M("captioning_loss", "mean_gradient_not_divided",
      "the gradient of h0 = mean of A is not divided by the P*P positions (rnn/lstm)",
      [(RNN_DA, "dA = np.broadcast_to(dh0[:, :, None, None], A.shape)")]),
    M("captioning_loss", "lstm_uses_rnn",
      "cell=\"lstm\" runs the vanilla RNN (rnn_forward/rnn_backward) as well",
      [('forward = rnn_forward if cell == "rnn" else lstm_forward', "forward = rnn_forward"),
       ('backward = rnn_backward if cell == "rnn" else lstm_backward',
        "backward = rnn_backward")]),
    # sample_greedy
    M("sample_greedy", "no_stop_at_end",
      "words generated after <END> are kept (the rest of the row should be <NULL>)",
      [(RECORD, "captions[:, t] = words")]),
    M("sample_greedy", "end_not_kept",
      "the <END> itself is replaced by <NULL> (it should be kept, then <NULL> after it)",
      [(RECORD, "captions[:, t] = np.where(done | (words == END), NULL, words)")]),
    M("sample_greedy", "state_not_carried",
      "the new state returned by decoder_step is dropped: every step starts again from "
      "decoder_start's state",
      [(STEP, "scores, _, _ = decoder_step(params, state, words, cell)")]),
    M("sample_greedy", "always_feeds_start",
      "<START> is fed at every step instead of the word chosen at the previous step",
      [(STEP, "scores, state, _ = decoder_step(params, state, np.full(N, START), cell)")]),
    M("sample_greedy", "stops_all_at_first_end",
      "decoding stops for every image as soon as one image produces <END>",
      [(RECORD, RECORD + "\n        if (words == END).any():\n            break")]),
    # beam_search
    M("beam_search", "no_length_normalisation",
      "the best hypothesis is chosen by its sum of log-probabilities, not divided by its "
      "length (short captions win)",
      [(NORMALISED, "scores = [logp for ids, logp in hypotheses]")]),
    M("beam_search", "finished_dropped",
      "finished hypotheses are forgotten when some hypothesis is still live at the end "
      "(only the live ones are compared)",
      [("hypotheses = finished + [(ids, logp) for ids, logp, _ in live]",
        "hypotheses = [(ids, logp) for ids, logp, _ in live] or finished")]),
    M("beam_search", "finished_extended",
      "a hypothesis ending with <END> stays live and is extended again like the others",
      [(KEEP, "            live.append((words[index], totals[index], states[index]))")]),
    M("beam_search", "ranked_by_last_word",
      "the extensions are ranked by the log-probability of their last word alone "
      "instead of the sum over the hypothesis",
      [("words, totals, states = [], [], []", "words, totals, states, last = [], [], [], []"),
       ("totals.append(logp + float(word_logp))",
        "totals.append(logp + float(word_logp))\n                last.append(float(word_logp))"),
       (ORDER, 'order = np.argsort(-np.array(last), kind="stable")[:beam_width]')]),
    M("beam_search", "top_k_of_first_hypotheses",
      "the top k is taken hypothesis by hypothesis (the k best words of the first live "
      "hypothesis, then of the next) instead of over all the extensions",
      [(ORDER, "V = len(totals) // len(live)\n"
               "        order = [h * V + int(j) for h in range(len(live)) for j in np.argsort("
               '-np.array(totals[h * V:(h + 1) * V]), kind="stable")[:beam_width]]'
               "[:beam_width]")]),
    M("beam_search", "scores_not_log_probabilities",
      "the raw scores (logits) are added up instead of the log-probabilities "
      "log softmax(scores)",
      [("log_probs = shifted - np.log(np.exp(shifted).sum())", "log_probs = scores[0]")]),
    M("beam_search", "beam_shrinks",
      "the beam shrinks as hypotheses finish: only k minus the number of finished "
      "hypotheses are kept at a step, instead of the k best extensions at every step",
      [(ORDER, 'order = np.argsort(-np.array(totals), kind="stable")'
               "[:beam_width - len(finished)]")]),
    M("beam_search", "start_counted",
      "the length normalisation also counts the <START> word (divides by the number of "
      "words plus one)",
      [(NORMALISED, "scores = [logp / (len(ids) + 1) for ids, logp in hypotheses]")]),
]
