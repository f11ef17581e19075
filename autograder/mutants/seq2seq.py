"""Typical mistakes in the `seq2seq` assignment, each a patch of the reference solution.

A hint completes "<output> matches what you get when ...". See docs/mutants.md.
"""

from __future__ import annotations

from . import Mutant

M = Mutant

# bidirectional_rnn_forward
BACKWARD_STATE = ("        h = h * mask[:, t, None]  # zero at padding: the first real step "
                  "starts from zero\n"
                  "        backward_caches[t] = step_cache\n"
                  "        H_enc[:, t, H:] = h")
FORWARD_OUT = "H_enc[:, t, :H] = h * mask[:, t, None]"
BACKWARD_LOOP = "    for t in reversed(range(S)):\n        h, step_cache"
BACKWARD_STEP = "h, step_cache = rnn_step_forward(x[:, t], h, Wx_b, Wh_b, b_b)"
# bidirectional_rnn_backward
DH_MASK = "dH = dH_enc * mask[:, :, None]  # H_enc is zero at padding whatever the weights"
DH_BACK = "dh = (dH[:, t, H:] + dh) * mask[:, t, None]  # the state was zeroed at padding"
CARRY_F = "rnn_step_backward(dH[:, t, :H] + dh, forward_caches[t])"
BACK_ORDER = "    for t in range(S):\n        dh = (dH"
DX_BACK = ("dx_t, dh, *step = rnn_step_backward(dh, backward_caches[t])\n"
           "        dx[:, t] += dx_t")
# additive_attention_forward
MASK = "scores = np.where(mask, scores, -np.inf)  # exp(-inf) = 0: padding gets no weight"
NORMALISE = "weights = weights / weights.sum(axis=1, keepdims=True)"
CONTEXT = 'context = np.einsum("ns,nsh->nh", weights, H_enc)'
SHIFT = "scores = scores - scores.max(axis=1, keepdims=True)"
# additive_attention_backward
DPRE = "dpre = dscores[:, :, None] * v * (1 - hidden ** 2)  # (N, S, A)"
DH_SCORES = "dH_enc = dH_enc + dpre @ W_h.T  # through the scores"
DSOFTMAX = "dscores = weights * (dw - np.sum(weights * dw, axis=1, keepdims=True))"
DQUERY = "dquery = dpre.sum(axis=1)  # s_prev @ W_s is added at every position j"
DW = 'dw = np.einsum("nsh,nh->ns", H_enc, dcontext) + dweights'
DV = 'dv = np.einsum("ns,nsa->a", dscores, hidden)'
# attention_decoder_step_forward
INPUTS = "inputs = np.concatenate([x, context], axis=1)  # (N, D + He)"
ATTEND = "attention_cache = additive_attention_forward(s_prev, H_enc, mask,"
RNN_STEP = "s_next, step_cache = rnn_step_forward(inputs, s_prev, Wx, Wh, b)"
# attention_decoder_step_backward
QUERY = "ds_prev = ds_prev + ds_query  # s_prev was also the attention's query"
TO_ATTENTION = "additive_attention_backward(dcontext, no_dweights,"
SPLIT_INPUTS = "dx, dcontext = dinputs[:, :D], dinputs[:, D:]"
# seq2seq_loss
SHIFTED = "tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]"
TGT_MASK = "tgt_mask = tgt_out != NULL"
SUMMARY = "dH_enc = dH_enc + encoder_summary_backward(ds, summary_cache)"
SUM_STEPS = "            dH_enc = dH_enc + dH_t"
DEC_CARRY = "attention_decoder_step_backward(dstates[:, t] + ds,"
# greedy_decode
RECORD = "out[:, t] = np.where(done, NULL, words)"
STEP = "scores, state, _ = decoder_step(params, state, words, model,"
# beam_search_decode
FINISHED = "if ids_list[index][-1] == END:"
POOL = "hypotheses = finished + [(ids, logp) for ids, logp, _ in live]"
NORMALISED = "normalised = [logp / len(ids) for ids, logp in hypotheses]"
ORDER = 'order = np.argsort(-np.array(totals), kind="stable")[:beam_width]'

MUTANTS: list[Mutant] = [
    # bidirectional_rnn_forward
    M("bidirectional_rnn_forward", "reversed_not_masked",
      "the backward direction is not masked: it starts at the end of the padded batch "
      "(t = S-1) instead of at each sequence's last real token, so the padding runs into "
      "the states of the real tokens (only the output is zeroed at padding)",
      [(BACKWARD_STATE, "        backward_caches[t] = step_cache\n"
                        "        H_enc[:, t, H:] = h * mask[:, t, None]")]),
    M("bidirectional_rnn_forward", "padding_not_zeroed",
      "the forward direction's states are kept at padded positions: H_enc[:, t, :H] is not "
      "multiplied by the mask",
      [(FORWARD_OUT, "H_enc[:, t, :H] = h")]),
    M("bidirectional_rnn_forward", "backward_reads_left_to_right",
      "the backward direction reads the sequence from left to right (t = 0, 1, ...) like "
      "the forward one",
      [(BACKWARD_LOOP, "    for t in range(S):\n        h, step_cache")]),
    M("bidirectional_rnn_forward", "shared_weights",
      "the backward direction uses the forward direction's parameters Wx_f, Wh_f, b_f",
      [(BACKWARD_STEP, "h, step_cache = rnn_step_forward(x[:, t], h, Wx_f, Wh_f, b_f)")]),
    M("bidirectional_rnn_forward", "halves_swapped",
      "the backward states are stored first in H_enc (H_enc[:, t, :H]) and the forward "
      "states second",
      [(FORWARD_OUT, "H_enc[:, t, H:] = h * mask[:, t, None]"),
       ("        H_enc[:, t, H:] = h\n", "        H_enc[:, t, :H] = h\n")]),
    # bidirectional_rnn_backward
    M("bidirectional_rnn_backward", "gradient_into_padding",
      "the upstream gradient at padded positions is not dropped: gradient flows into the "
      "masked positions (dH_enc is not multiplied by the mask)",
      [(DH_MASK, "dH = dH_enc")]),
    M("bidirectional_rnn_backward", "reversed_not_masked",
      "in the backward direction the gradient of a state that the forward pass zeroed at "
      "padding is not zeroed (no mask before rnn_step_backward)",
      [(DH_BACK, "dh = dH[:, t, H:] + dh")]),
    M("bidirectional_rnn_backward", "no_carry",
      "the forward direction's gradient from step t+1 is not added to dH_enc[:, t, :H]",
      [(CARRY_F, "rnn_step_backward(dH[:, t, :H], forward_caches[t])")]),
    M("bidirectional_rnn_backward", "backward_direction_wrong_order",
      "the backward direction's steps are undone from t = S-1 down (the forward "
      "direction's order) instead of from t = 0 up",
      [(BACK_ORDER, "    for t in reversed(range(S)):\n        dh = (dH")]),
    M("bidirectional_rnn_backward", "dx_forward_only",
      "dx only has the forward direction's gradient (the backward direction's dx is not "
      "added)",
      [(DX_BACK, "dx_t, dh, *step = rnn_step_backward(dh, backward_caches[t])")]),
    # additive_attention_forward
    M("additive_attention_forward", "softmax_over_masked_positions",
      "the softmax runs over every source position, padding included (the mask is ignored)",
      [(MASK, "scores = scores")]),
    M("additive_attention_forward", "mask_after_softmax",
      "the mask is applied after the softmax (weights * mask): the padding still took its "
      "share, so the real weights do not sum to 1",
      [(MASK, "scores = scores"), (NORMALISE, NORMALISE + " * mask")]),
    M("additive_attention_forward", "mask_multiplies_scores",
      "the scores are multiplied by the mask: a padded position gets score 0 instead of "
      "-inf and still takes a share of the softmax",
      [(MASK, "scores = scores * mask")]),
    M("additive_attention_forward", "softmax_over_batch",
      "the softmax normalises over the batch axis (axis 0) instead of over the source "
      "positions of each sequence",
      [(NORMALISE, "weights = weights / weights.sum(axis=0, keepdims=True)")]),
    M("additive_attention_forward", "context_wrong_axis",
      "the context is summed over the batch axis (axis 0) instead of the source positions "
      "(axis 1): context has shape (S, He)",
      [(CONTEXT, "context = (weights[:, :, None] * H_enc).sum(axis=0)")]),
    M("additive_attention_forward", "shift_by_padded_max",
      "the scores are shifted by their row maximum taken before masking: when a padded "
      "position holds it, every real score can underflow and the softmax is 0/0 = NaN",
      [(MASK, "row_max = scores.max(axis=1, keepdims=True)\n"
              "    scores = np.where(mask, scores, -np.inf)"),
       (SHIFT, "scores = scores - row_max")]),
    M("additive_attention_forward", "no_max_shift",
      "the scores are not shifted by their maximum before np.exp, so large scores overflow",
      [(SHIFT, "scores = scores")]),
    # additive_attention_backward
    M("additive_attention_backward", "no_tanh_derivative",
      "the gradient does not go through the tanh: the factor (1 - tanh**2) is missing",
      [(DPRE, "dpre = dscores[:, :, None] * v")]),
    M("additive_attention_backward", "dH_enc_weighted_sum_only",
      "dH_enc only has the path through the weighted sum (weights * dcontext), not the "
      "path through the scores (dpre @ W_h.T)",
      [(DH_SCORES, "dH_enc = dH_enc")]),
    M("additive_attention_backward", "softmax_backward_without_sum",
      "the softmax backward is weights * dw, without subtracting sum(weights * dw)",
      [(DSOFTMAX, "dscores = weights * dw")]),
    M("additive_attention_backward", "query_mean",
      "the gradient of the query averages dpre over the source positions instead of "
      "summing it",
      [(DQUERY, "dquery = dpre.mean(axis=1)")]),
    M("additive_attention_backward", "dweights_ignored",
      "the upstream gradient dweights is ignored",
      [(DW, 'dw = np.einsum("nsh,nh->ns", H_enc, dcontext)')]),
    M("additive_attention_backward", "dv_from_weights",
      "dv is computed from the weights instead of the scores' gradient dscores",
      [(DV, 'dv = np.einsum("ns,nsa->a", weights, hidden)')]),
    # attention_decoder_step_forward
    M("attention_decoder_step_forward", "context_not_fed",
      "the context is not fed to the RNN step (zeros in its place)",
      [(INPUTS, "inputs = np.concatenate([x, np.zeros_like(context)], axis=1)")]),
    M("attention_decoder_step_forward", "mask_not_passed",
      "the attention is called with an all-True mask: the padding gets weight",
      [(ATTEND, "attention_cache = additive_attention_forward(s_prev, H_enc, "
                 "np.ones_like(mask),")]),
    M("attention_decoder_step_forward", "mean_instead_of_context",
      "the step is fed the mean of H_enc over the source positions instead of the context",
      [(INPUTS, "inputs = np.concatenate([x, H_enc.mean(axis=1)], axis=1)")]),
    M("attention_decoder_step_forward", "context_first",
      "the context comes before x in the step's input ([context ; x] instead of "
      "[x ; context])",
      [(INPUTS, "inputs = np.concatenate([context, x], axis=1)")]),
    M("attention_decoder_step_forward", "state_not_carried",
      "the RNN step starts from zeros instead of s_prev",
      [(RNN_STEP, "s_next, step_cache = rnn_step_forward(inputs, np.zeros_like(s_prev), Wx, "
                  "Wh, b)")]),
    # attention_decoder_step_backward
    M("attention_decoder_step_backward", "no_query_gradient",
      "ds_prev misses the attention's gradient: s_prev was also the query",
      [(QUERY, "ds_prev = ds_prev")]),
    M("attention_decoder_step_backward", "query_gradient_only",
      "ds_prev only has the attention's gradient, not the RNN step's dprev_h",
      [(QUERY, "ds_prev = ds_query")]),
    M("attention_decoder_step_backward", "no_context_gradient",
      "the context's gradient is not passed to the attention (zeros instead of dcontext)",
      [(TO_ATTENTION, "additive_attention_backward(np.zeros_like(dcontext), no_dweights,")]),
    M("attention_decoder_step_backward", "tanh_derivative_twice",
      "ds_next is multiplied by (1 - s_next**2) before rnn_step_backward, which applies the "
      "tanh derivative itself: it is applied twice",
      [("rnn_step_backward(ds_next, step_cache)",
        "rnn_step_backward(ds_next * (1 - step_cache[-1] ** 2), step_cache)")]),
    M("attention_decoder_step_backward", "input_split_swapped",
      "the input's gradient is split as if the input were [context ; x]: dx is taken from "
      "its last D columns and dcontext from the first He",
      [(SPLIT_INPUTS, "dx, dcontext = dinputs[:, -D:], dinputs[:, :-D]")]),
    # seq2seq_loss
    M("seq2seq_loss", "target_not_shifted",
      "the decoder is trained to predict its own input tgt[:, :-1] instead of the next "
      "character tgt[:, 1:]",
      [(SHIFTED, "tgt_in, tgt_out = tgt[:, :-1], tgt[:, :-1]")]),
    M("seq2seq_loss", "target_padding_not_masked",
      "the target's <NULL> padding is not masked out of the loss",
      [(TGT_MASK, "tgt_mask = np.ones(tgt_out.shape, dtype=bool)")]),
    M("seq2seq_loss", "summary_gradient_dropped",
      "the gradient of the decoder's first state s0 does not reach the encoder "
      "(encoder_summary_backward is not added to dH_enc)",
      [(SUMMARY, "dH_enc = dH_enc")]),
    M("seq2seq_loss", "plain_context_gradient_dropped",
      "the plain decoder's gradient of its context s0, read at every step, is dropped: only "
      "the initial state's gradient reaches the encoder",
      [("ds = ds + dinputs[:, :, D:].sum(axis=1)", "ds = ds")]),
    M("seq2seq_loss", "dH_enc_not_summed",
      "dH_enc keeps only the last decoder step processed (t = 0) instead of the sum over "
      "all steps",
      [(SUM_STEPS, "            dH_enc = dH_t")]),
    M("seq2seq_loss", "no_decoder_carry",
      "the attention decoder's gradient from step t+1 is not added to dstates[:, t]",
      [(DEC_CARRY, "attention_decoder_step_backward(dstates[:, t],")]),
    # greedy_decode
    M("greedy_decode", "no_null_after_end",
      "the decoding goes on after <END>: later entries are not set to <NULL>",
      [(RECORD, "out[:, t] = words")]),
    M("greedy_decode", "end_not_kept",
      "the <END> itself is written as <NULL>",
      [(RECORD, "out[:, t] = np.where(done | (words == END), NULL, words)")]),
    M("greedy_decode", "always_feeds_start",
      "<START> is fed at every step instead of the previous output",
      [(STEP, "scores, state, _ = decoder_step(params, state, np.full(N, START), model,")]),
    M("greedy_decode", "state_not_carried",
      "the decoder's state is not carried from step to step (every step starts from the "
      "encoder's state)",
      [(STEP, "scores, _, _ = decoder_step(params, state, words, model,")]),
    # beam_search_decode
    M("beam_search_decode", "no_length_normalisation",
      "the final hypotheses are compared by their summed log-probability instead of the "
      "mean per token (no length normalisation)",
      [(NORMALISED, "normalised = [logp for ids, logp in hypotheses]")]),
    M("beam_search_decode", "finished_extended",
      "hypotheses ending with <END> are not set aside: they stay in the beam and are "
      "extended further",
      [(FINISHED, "if False:")]),
    M("beam_search_decode", "finished_forgotten",
      "finished hypotheses are not kept: only those still live at the end compete (the "
      "finished ones only when none is live)",
      [(POOL, "hypotheses = [(ids, logp) for ids, logp, _ in live] or finished")]),
    M("beam_search_decode", "end_not_counted",
      "<END> is not counted in the length that normalises the score",
      [(NORMALISED, "normalised = [logp / max(len(ids) - (ids[-1] == END), 1) "
                    "for ids, logp in hypotheses]")]),
    M("beam_search_decode", "width_ignored",
      "the beam width is ignored: only the best extension is kept at every step (greedy "
      "decoding whatever k)",
      [(ORDER, 'order = np.argsort(-np.array(totals), kind="stable")[:1]')]),
    M("beam_search_decode", "k_live",
      "k LIVE hypotheses are kept at every step: a hypothesis that finishes does not take "
      "one of the k places (keep the k best extensions of all, then set the finished aside)",
      [(ORDER, 'order = np.argsort(-np.array(totals), kind="stable")'),
       ("        for index in order:\n",
        "        for index in order:\n            if len(live) == beam_width:\n"
        "                break\n")]),
    M("beam_search_decode", "live_ignored",
      "only the finished hypotheses compete at the end: those still live after max_length "
      "steps are ignored (used only when none finished)",
      [(POOL, "hypotheses = finished or [(ids, logp) for ids, logp, _ in live]")]),
    # Not a catalog mistake: argsort without kind="stable" differs from the reference only on
    # exact ties, and only where NumPy's default sort reorders them (it does with AVX-512,
    # not elsewhere), so whether the tests catch it depends on the grading machine. The
    # docstring asks for the stable sort and the hidden `ties` cases check it.
    M("beam_search_decode", "one_step_short",
      "the search runs max_length - 1 steps instead of max_length",
      [("for _ in range(max_length):", "for _ in range(max_length - 1):")]),
]
