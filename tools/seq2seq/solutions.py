"""Source text of the seq2seq notebook's code cells: setup, helpers and the solutions.

Used by tools/seq2seq/build.py; kept as text so the notebook is the one place where the
solution lives once built (autograder.solutions reads it from there).
"""

SETUP = r'''
import math
import os

# The matrices here are small: several BLAS threads per product only slow each other down.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np

from course_utils.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array
# Layers from the earlier assignments, shipped with this release as generated modules.
from rnn_layers import (clip_grad_norm, rnn_backward, rnn_forward, rnn_step_backward,
                        rnn_step_forward)
from char_lm_layers import (temporal_affine_backward, temporal_affine_forward,
                            temporal_softmax_loss, word_embedding_backward,
                            word_embedding_forward)

NULL, START, END = 0, 1, 2  # the ids of <NULL>, <START> and <END> in the target vocabulary
ENCODER = ("Wx_f", "Wh_f", "b_f", "Wx_b", "Wh_b", "b_b")  # the encoder's parameters, in order
ATTENTION = ("W_s", "W_h", "v")


def encoder_summary(H_enc, mask):
    """What the plain decoder knows of the source: s0 (N, 2H), the forward direction's
    state at each sequence's last real token and the backward direction's state at its
    first token, [H_enc[n, L_n - 1, :H] ; H_enc[n, 0, H:]] with L_n = mask[n].sum()."""
    N, _, two_h = H_enc.shape
    H = two_h // 2
    last = mask.sum(axis=1) - 1
    s0 = np.concatenate([H_enc[np.arange(N), last, :H], H_enc[:, 0, H:]], axis=1)
    return s0, (H_enc.shape, last)


def encoder_summary_backward(ds0, cache):
    """dH_enc (N, S, 2H) of encoder_summary, given ds0 (N, 2H)."""
    shape, last = cache
    H = shape[2] // 2
    dH_enc = np.zeros(shape, dtype=ds0.dtype)
    dH_enc[np.arange(shape[0]), last, :H] = ds0[:, :H]
    dH_enc[:, 0, H:] += ds0[:, H:]
    return dH_enc


def init_seq2seq(model, Vs, Vt, D, H, A, rng, scale=None):
    """Parameters of a translation model: small random weights, zero biases (float64).

    model: "plain" (the decoder starts from s0 = encoder_summary and reads s0 again at
    every step, the same fixed context) or "attention" (the same start, and at every step
    a context attended afresh). Each encoder direction has H units, so H_enc has 2H; the
    decoder's state has Hd = 2H units, the size of encoder_summary; its step reads
    [embedding ; context], D + 2H numbers, in both models; the attention has A units."""
    Hd = 2 * H

    def weights(fan_in, *shape):
        return rng.standard_normal(shape) * (scale if scale else 1 / np.sqrt(fan_in))

    params = {"W_src": weights(D, Vs, D),
              "Wx_f": weights(D, D, H), "Wh_f": weights(H, H, H), "b_f": np.zeros(H),
              "Wx_b": weights(D, D, H), "Wh_b": weights(H, H, H), "b_b": np.zeros(H),
              "W_tgt": weights(D, Vt, D),
              "Wx": weights(D, D + Hd, Hd),
              "Wh": weights(Hd, Hd, Hd), "b": np.zeros(Hd),
              "W_out": weights(Hd, Hd, Vt), "b_out": np.zeros(Vt)}
    if model == "attention":
        params |= {"W_s": weights(Hd, Hd, A), "W_h": weights(Hd, Hd, A), "v": weights(A, A)}
    return params
'''

DECODER = r'''
def encode(params, src, src_mask, encoder):
    """Run the encoder once: the state the decoder starts from, as a dict with H_enc
    (N, S, 2H), the mask, the summary s0 (N, Hd) = encoder_summary(H_enc, mask) (the plain
    decoder's context at every step) and the decoder's state s, s0 to start with.
    `encoder` is the encoder to run: pass your bidirectional_rnn_forward."""
    x = params["W_src"][src]
    H_enc, _ = encoder(x, src_mask, *(params[k] for k in ENCODER))
    s0, _ = encoder_summary(H_enc, src_mask)
    return {"H_enc": H_enc, "mask": src_mask, "s0": s0, "s": s0}


def decoder_step(params, state, words, model, attention_step):
    """Feed one target id per sequence, words (N,), through one step of the decoder.
    `attention_step` is the attention model's step: pass your
    attention_decoder_step_forward (the plain model uses rnn_step_forward).

    Returns (scores, state, weights): scores (N, Vt) of the next character, the new state,
    and the attention weights (N, S) of the step ("attention" only, else None)."""
    x = params["W_tgt"][words]
    weights = None
    if model == "plain":
        inputs = np.concatenate([x, state["s0"]], axis=1)  # the same context every step
        s, _ = rnn_step_forward(inputs, state["s"], params["Wx"], params["Wh"], params["b"])
    else:
        s, weights, _ = attention_step(x, state["s"], state["H_enc"], state["mask"],
                                       params["Wx"], params["Wh"], params["b"],
                                       *(params[k] for k in ATTENTION))
    scores = s @ params["W_out"] + params["b_out"]
    return scores, {**state, "s": s}, weights
'''

SOLUTIONS = {}

SOLUTIONS["bidirectional_rnn_forward"] = r'''
def bidirectional_rnn_forward(x: np.ndarray, mask: np.ndarray,
                              Wx_f: np.ndarray, Wh_f: np.ndarray, b_f: np.ndarray,
                              Wx_b: np.ndarray, Wh_b: np.ndarray,
                              b_b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """A bidirectional vanilla RNN over padded sequences, from rnn_step_forward.

    Inputs:
    - x: (N, S, D) inputs; x[n, t] for t >= L_n is padding (any values)
    - mask: (N, S) bool, True at real tokens, False at padding; padding only at the end,
      and every sequence has at least one real token: L_n = mask[n].sum() >= 1
    - Wx_f: (D, H), Wh_f: (H, H), b_f: (H,) the forward direction's step parameters
    - Wx_b: (D, H), Wh_b: (H, H), b_b: (H,) the backward direction's

    Both directions start from a zero state. The forward direction reads t = 0, 1, ...;
    the backward direction reads t = L_n - 1, ..., 0: it starts at each sequence's last
    real token, so padding never reaches a real position.

    Returns a tuple of:
    - H_enc: (N, S, 2H), H_enc[n, t] = [forward state at t ; backward state at t] for
      t < L_n, and exactly zero at padded positions
    - cache: whatever bidirectional_rnn_backward needs
    """
    ### BEGIN SOLUTION
    N, S, _ = x.shape
    H = Wh_f.shape[0]
    dtype = np.result_type(x, Wx_f, Wh_f, b_f, Wx_b, Wh_b, b_b)
    H_enc = np.zeros((N, S, 2 * H), dtype=dtype)
    forward_caches, backward_caches = [], [None] * S
    h = np.zeros((N, H), dtype=dtype)
    for t in range(S):  # padding comes last: real states never see it
        h, step_cache = rnn_step_forward(x[:, t], h, Wx_f, Wh_f, b_f)
        forward_caches.append(step_cache)
        H_enc[:, t, :H] = h * mask[:, t, None]
    h = np.zeros((N, H), dtype=dtype)
    for t in reversed(range(S)):
        h, step_cache = rnn_step_forward(x[:, t], h, Wx_b, Wh_b, b_b)
        h = h * mask[:, t, None]  # zero at padding: the first real step starts from zero
        backward_caches[t] = step_cache
        H_enc[:, t, H:] = h
    cache = (mask, forward_caches, backward_caches, x.shape)
    ### END SOLUTION
    return H_enc, cache
'''

SOLUTIONS["bidirectional_rnn_backward"] = r'''
def bidirectional_rnn_backward(dH_enc: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward pass of bidirectional_rnn_forward, from rnn_step_backward.

    Inputs:
    - dH_enc: (N, S, 2H) upstream gradient of H_enc (whatever its values at padding)
    - cache: from bidirectional_rnn_forward

    Returns a tuple of:
    - dx: (N, S, D), zero at padded positions
    - dWx_f: (D, H), dWh_f: (H, H), db_f: (H,)
    - dWx_b: (D, H), dWh_b: (H, H), db_b: (H,)
    """
    ### BEGIN SOLUTION
    mask, forward_caches, backward_caches, x_shape = cache
    N, S, two_h = dH_enc.shape
    H = two_h // 2
    dH = dH_enc * mask[:, :, None]  # H_enc is zero at padding whatever the weights
    dx = np.zeros(x_shape, dtype=dH_enc.dtype)
    grads_f = [0, 0, 0]
    dh = np.zeros((N, H), dtype=dH_enc.dtype)
    for t in reversed(range(S)):
        dx_t, dh, *step = rnn_step_backward(dH[:, t, :H] + dh, forward_caches[t])
        dx[:, t] += dx_t
        grads_f = [total + g for total, g in zip(grads_f, step)]
    grads_b = [0, 0, 0]
    dh = np.zeros((N, H), dtype=dH_enc.dtype)
    for t in range(S):
        dh = (dH[:, t, H:] + dh) * mask[:, t, None]  # the state was zeroed at padding
        dx_t, dh, *step = rnn_step_backward(dh, backward_caches[t])
        dx[:, t] += dx_t
        grads_b = [total + g for total, g in zip(grads_b, step)]
    dWx_f, dWh_f, db_f = grads_f
    dWx_b, dWh_b, db_b = grads_b
    ### END SOLUTION
    return dx, dWx_f, dWh_f, db_f, dWx_b, dWh_b, db_b
'''

SOLUTIONS["additive_attention_forward"] = r'''
def additive_attention_forward(s_prev: np.ndarray, H_enc: np.ndarray, mask: np.ndarray,
                               W_s: np.ndarray, W_h: np.ndarray,
                               v: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Additive (Bahdanau) attention of a decoder state over the encoder's states.

    Inputs:
    - s_prev: (N, Hd) the decoder's previous state, the query
    - H_enc: (N, S, He) the encoder's states
    - mask: (N, S) bool, True at real source tokens, False at padding (at least one True
      per row)
    - W_s: (Hd, A), W_h: (He, A), v: (A,)

    scores[n, j] = v . tanh(s_prev[n] @ W_s + H_enc[n, j] @ W_h); the weights are the
    softmax of the scores over the unmasked positions j of sequence n only.

    Returns a tuple of:
    - context: (N, He), context[n] = sum over j of weights[n, j] * H_enc[n, j]
    - weights: (N, S), exactly 0 where mask is False, summing to 1 over each row
    - cache: whatever additive_attention_backward needs
    """
    ### BEGIN SOLUTION
    hidden = np.tanh((s_prev @ W_s)[:, None, :] + H_enc @ W_h)  # (N, S, A)
    scores = hidden @ v                                           # (N, S)
    scores = np.where(mask, scores, -np.inf)  # exp(-inf) = 0: padding gets no weight
    scores = scores - scores.max(axis=1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=1, keepdims=True)
    context = np.einsum("ns,nsh->nh", weights, H_enc)
    cache = (s_prev, H_enc, W_s, W_h, v, hidden, weights)
    ### END SOLUTION
    return context, weights, cache
'''

SOLUTIONS["additive_attention_backward"] = r'''
def additive_attention_backward(dcontext: np.ndarray, dweights: np.ndarray,
                                cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward pass of additive_attention_forward.

    Inputs:
    - dcontext: (N, He) upstream gradient of context
    - dweights: (N, S) upstream gradient of weights (zeros when only context is used)
    - cache: from additive_attention_forward

    Returns a tuple of:
    - ds_prev: (N, Hd)
    - dH_enc: (N, S, He), through the weighted sum and through the scores
    - dW_s: (Hd, A), dW_h: (He, A), dv: (A,)
    """
    ### BEGIN SOLUTION
    s_prev, H_enc, W_s, W_h, v, hidden, weights = cache
    dw = np.einsum("nsh,nh->ns", H_enc, dcontext) + dweights
    dH_enc = weights[:, :, None] * dcontext[:, None, :]  # through the weighted sum
    # softmax: dscores_j = w_j (dw_j - sum_k w_k dw_k), zero where w_j = 0 (padding)
    dscores = weights * (dw - np.sum(weights * dw, axis=1, keepdims=True))
    dv = np.einsum("ns,nsa->a", dscores, hidden)
    dpre = dscores[:, :, None] * v * (1 - hidden ** 2)  # (N, S, A)
    dquery = dpre.sum(axis=1)  # s_prev @ W_s is added at every position j
    ds_prev = dquery @ W_s.T
    dW_s = s_prev.T @ dquery
    dH_enc = dH_enc + dpre @ W_h.T  # through the scores
    dW_h = np.einsum("nsh,nsa->ha", H_enc, dpre)
    ### END SOLUTION
    return ds_prev, dH_enc, dW_s, dW_h, dv
'''

SOLUTIONS["attention_decoder_step_forward"] = r'''
def attention_decoder_step_forward(x: np.ndarray, s_prev: np.ndarray, H_enc: np.ndarray,
                                   mask: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                                   b: np.ndarray, W_s: np.ndarray, W_h: np.ndarray,
                                   v: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """One step of the attention decoder: attend, then a vanilla RNN step fed the context.

    Inputs:
    - x: (N, D) embedding of the previous target character
    - s_prev: (N, Hd) the decoder's previous state
    - H_enc: (N, S, He), mask: (N, S) the encoder's states and the source mask
    - Wx: (D + He, Hd), Wh: (Hd, Hd), b: (Hd,) the RNN step's parameters; the first D
      rows of Wx read x, the last He rows read the context
    - W_s: (Hd, A), W_h: (He, A), v: (A,) the attention's

    context, weights = additive_attention_forward(s_prev, H_enc, mask, W_s, W_h, v), then
    s_next = rnn_step_forward([x ; context], s_prev, Wx, Wh, b) (input feeding: the
    context the previous state chose is an input of the step).

    Returns a tuple of:
    - s_next: (N, Hd)
    - weights: (N, S) the attention weights of this step
    - cache: whatever attention_decoder_step_backward needs
    """
    ### BEGIN SOLUTION
    context, weights, attention_cache = additive_attention_forward(s_prev, H_enc, mask,
                                                                   W_s, W_h, v)
    inputs = np.concatenate([x, context], axis=1)  # (N, D + He)
    s_next, step_cache = rnn_step_forward(inputs, s_prev, Wx, Wh, b)
    cache = (attention_cache, step_cache, x.shape[1], weights.shape)
    ### END SOLUTION
    return s_next, weights, cache
'''

SOLUTIONS["attention_decoder_step_backward"] = r'''
def attention_decoder_step_backward(ds_next: np.ndarray,
                                    cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward pass of attention_decoder_step_forward (the weights are not used
    downstream: their upstream gradient is zero).

    Inputs:
    - ds_next: (N, Hd) upstream gradient of s_next
    - cache: from attention_decoder_step_forward

    Returns a tuple of:
    - dx: (N, D), ds_prev: (N, Hd) (through the RNN step and through the attention's
      query), dH_enc: (N, S, He)
    - dWx: (D + He, Hd), dWh: (Hd, Hd), db: (Hd,)
    - dW_s: (Hd, A), dW_h: (He, A), dv: (A,)
    """
    ### BEGIN SOLUTION
    attention_cache, step_cache, D, weights_shape = cache
    dinputs, ds_prev, dWx, dWh, db = rnn_step_backward(ds_next, step_cache)
    dx, dcontext = dinputs[:, :D], dinputs[:, D:]
    no_dweights = np.zeros(weights_shape, dtype=ds_next.dtype)
    ds_query, dH_enc, dW_s, dW_h, dv = additive_attention_backward(dcontext, no_dweights,
                                                                   attention_cache)
    ds_prev = ds_prev + ds_query  # s_prev was also the attention's query
    ### END SOLUTION
    return dx, ds_prev, dH_enc, dWx, dWh, db, dW_s, dW_h, dv
'''

SOLUTIONS["seq2seq_loss"] = r'''
def seq2seq_loss(params: dict, src: np.ndarray, src_mask: np.ndarray, tgt: np.ndarray,
                 model: str) -> tuple[float, dict]:
    """Loss and gradients of a translation model on a minibatch, with teacher forcing.

    Inputs:
    - params: dict of arrays, as made by init_seq2seq: W_src (Vs, D), the encoder's Wx_f,
      Wh_f, b_f, Wx_b, Wh_b, b_b, W_tgt (Vt, D), the decoder's Wx, Wh (Hd, Hd), b (Hd,),
      W_out (Hd, Vt), b_out (Vt,), and W_s, W_h, v for "attention"; Hd = 2H, and Wx is
      (D + Hd, Hd) in both models: its first D rows read the embedding, the others the
      context
    - src: (N, S) source ids, src_mask: (N, S) bool (as for bidirectional_rnn_forward)
    - tgt: (N, T + 1) target ids: <START>, the characters, <END>, then <NULL> padding
    - model: "plain" or "attention"

    Procedure: H_enc = bidirectional_rnn_forward on the embedded source (W_src);
    s0, _ = encoder_summary(H_enc, src_mask). The decoder reads tgt[:, :-1] through the
    embedding W_tgt and predicts tgt[:, 1:]:
    - "plain": rnn_forward from h0 = s0 on the inputs [embedding ; s0] (N, T, D + Hd):
      the same fixed context s0 at every step, the encoder's last states only
    - "attention": attention_decoder_step_forward at every step from s0 (its own context
      at every step)
    scores = temporal_affine_forward(states, W_out, b_out); the loss is
    temporal_softmax_loss with mask = (tgt[:, 1:] != NULL).

    Returns a tuple of:
    - loss: float
    - grads: dict with the same keys as params, each gradient of the shape of its parameter
    """
    ### BEGIN SOLUTION
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]
    tgt_mask = tgt_out != NULL
    x, src_cache = word_embedding_forward(src, params["W_src"])
    H_enc, enc_cache = bidirectional_rnn_forward(x, src_mask, *(params[k] for k in ENCODER))
    s0, summary_cache = encoder_summary(H_enc, src_mask)
    y, tgt_cache = word_embedding_forward(tgt_in, params["W_tgt"])
    if model == "plain":
        context = np.repeat(s0[:, None, :], y.shape[1], axis=1)  # (N, T, Hd): s0 each step
        states, dec_cache = rnn_forward(np.concatenate([y, context], axis=2), s0,
                                        params["Wx"], params["Wh"], params["b"])
    else:
        s, steps, all_states = s0, [], []
        for t in range(y.shape[1]):
            s, _, step_cache = attention_decoder_step_forward(
                y[:, t], s, H_enc, src_mask, params["Wx"], params["Wh"], params["b"],
                *(params[k] for k in ATTENTION))
            all_states.append(s)
            steps.append(step_cache)
        states = np.stack(all_states, axis=1)
    scores, out_cache = temporal_affine_forward(states, params["W_out"], params["b_out"])
    loss, dscores = temporal_softmax_loss(scores, tgt_out, tgt_mask)

    grads = {}
    dstates, grads["W_out"], grads["b_out"] = temporal_affine_backward(dscores, out_cache)
    if model == "plain":
        dinputs, ds, grads["Wx"], grads["Wh"], grads["b"] = rnn_backward(dstates, dec_cache)
        D = y.shape[2]
        dy = dinputs[:, :, :D]
        ds = ds + dinputs[:, :, D:].sum(axis=1)  # s0 was the initial state and every context
        dH_enc = np.zeros_like(H_enc)
    else:
        dy = np.zeros_like(y)
        dH_enc = np.zeros_like(H_enc)
        ds = np.zeros_like(s0)
        names = ("Wx", "Wh", "b", *ATTENTION)
        totals = [0] * len(names)
        for t in reversed(range(y.shape[1])):
            dy[:, t], ds, dH_t, *step = attention_decoder_step_backward(dstates[:, t] + ds,
                                                                        steps[t])
            dH_enc = dH_enc + dH_t
            totals = [total + g for total, g in zip(totals, step)]
        grads |= dict(zip(names, totals))
    dH_enc = dH_enc + encoder_summary_backward(ds, summary_cache)
    dx, *encoder_grads = bidirectional_rnn_backward(dH_enc, enc_cache)
    grads |= dict(zip(ENCODER, encoder_grads))
    grads["W_src"] = word_embedding_backward(dx, src_cache)
    grads["W_tgt"] = word_embedding_backward(dy, tgt_cache)
    ### END SOLUTION
    return loss, grads
'''

SOLUTIONS["greedy_decode"] = r'''
def greedy_decode(params: dict, src: np.ndarray, src_mask: np.ndarray, model: str,
                  max_length: int) -> np.ndarray:
    """Greedy decoding: at every step the most likely next character, fed back in.

    Inputs:
    - params, model: a model as in seq2seq_loss
    - src: (N, S) source ids, src_mask: (N, S) bool
    - max_length: number of decoding steps

    Start from state = encode(params, src, src_mask, bidirectional_rnn_forward) and the id
    <START> for every sequence. Then max_length times: scores, state, _ =
    decoder_step(params, state, words, model, attention_decoder_step_forward), the next
    ids are np.argmax(scores, axis=1) (the first maximum), and they are fed at the next
    step.

    Returns:
    - out: (N, max_length) int64, out[n, t] is the id chosen at step t (<START> not
      included). Once sequence n has produced <END>, that <END> is kept and every later
      entry of row n is <NULL>.
    """
    ### BEGIN SOLUTION
    N = src.shape[0]
    state = encode(params, src, src_mask, bidirectional_rnn_forward)
    words = np.full(N, START, dtype=np.int64)
    out = np.full((N, max_length), NULL, dtype=np.int64)
    done = np.zeros(N, dtype=bool)
    for t in range(max_length):
        scores, state, _ = decoder_step(params, state, words, model,
                                        attention_decoder_step_forward)
        words = np.argmax(scores, axis=1)
        out[:, t] = np.where(done, NULL, words)
        done = done | (words == END)
    ### END SOLUTION
    return out
'''

SOLUTIONS["beam_search_decode"] = r'''
def beam_search_decode(params: dict, src: np.ndarray, src_mask: np.ndarray, model: str,
                       beam_width: int, max_length: int) -> tuple[np.ndarray, float]:
    """Beam search for the translation of ONE source, with length-normalised scores.

    Inputs:
    - params, model: a model as in seq2seq_loss
    - src: (S,) source ids of one sequence, src_mask: (S,) bool
    - beam_width: k >= 1, how many hypotheses are kept at every step
    - max_length: at most this many ids are generated (<END> included)

    A hypothesis is a list of target ids (without <START>) with the sum of their
    log-probabilities, log p = log softmax(scores). Procedure:
    1. One live hypothesis: no ids, log p 0, state = encode(params, src[None],
       src_mask[None], bidirectional_rnn_forward) (a batch of one); the id it feeds next
       is <START>.
    2. At most max_length times: every live hypothesis feeds its last id (or <START>)
       through decoder_step (with attention_decoder_step_forward) and is extended by each
       of the Vt ids. Of all these extensions keep the k with the largest sum of
       log-probabilities (sort with kind="stable" on minus the sum, extensions listed
       hypothesis by hypothesis, id by id). A kept extension that ends with <END> is
       finished and is not extended again; the others are the live hypotheses of the next
       step. Stop early when no hypothesis is live.
    3. Among the finished hypotheses and those still live at the end, return the one with
       the largest length-normalised score, sum of log p / number of ids (<END>
       counted), the first one on a tie (finished ones first, in the order they finished).

    Returns a tuple of:
    - out: (L,) int64 ids, ending with <END> if that hypothesis finished
    - score: float, its length-normalised log-probability
    """
    ### BEGIN SOLUTION
    live = [([], 0.0, encode(params, src[None], src_mask[None], bidirectional_rnn_forward))]
    finished = []
    for _ in range(max_length):
        ids_list, totals, states = [], [], []
        for ids, logp, state in live:
            last = ids[-1] if ids else START
            scores, new_state, _ = decoder_step(params, state, np.array([last]), model,
                                                attention_decoder_step_forward)
            shifted = scores[0] - scores[0].max()
            log_probs = shifted - np.log(np.exp(shifted).sum())
            for word, word_logp in enumerate(log_probs):
                ids_list.append(ids + [word])
                totals.append(logp + float(word_logp))
                states.append(new_state)
        order = np.argsort(-np.array(totals), kind="stable")[:beam_width]
        live = []
        for index in order:
            if ids_list[index][-1] == END:
                finished.append((ids_list[index], totals[index]))
            else:
                live.append((ids_list[index], totals[index], states[index]))
        if not live:
            break
    hypotheses = finished + [(ids, logp) for ids, logp, _ in live]
    normalised = [logp / len(ids) for ids, logp in hypotheses]
    best = int(np.argmax(normalised))
    out = np.array(hypotheses[best][0], dtype=np.int64)
    score = float(normalised[best])
    ### END SOLUTION
    return out, score
'''
