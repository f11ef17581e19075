"""Source text of the captioning notebook's code cells: setup, helpers and the solutions.

Used by tools/captioning/build.py; kept as text so the notebook is the one place where the
solution lives once built (autograder.solutions reads it from there).
"""

SETUP = r'''
import math
import os

# The matrices here are small: several BLAS threads per product only slow each other down.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np

from course_utils.functions import sigmoid
from course_utils.gradcheck import (eval_numerical_gradient, eval_numerical_gradient_array,
                                    gradient_report, rel_error)
# Layers from the earlier assignments, shipped with this release as generated modules.
from rnn_layers import clip_grad_norm, rnn_backward, rnn_forward, rnn_step_forward
from lstm_layers import lstm_backward, lstm_forward, lstm_step_forward
from char_lm_layers import (temporal_affine_backward, temporal_affine_forward,
                            temporal_softmax_loss, word_embedding_backward,
                            word_embedding_forward)

NULL, START, END = 0, 1, 2  # the ids of <NULL>, <START> and <END> in every vocabulary here


def project_patches(patches, W_proj, W_pos):
    """The image encoder: every patch through the same linear map, plus a learned vector
    per position. patches (N, P, P, Dp), W_proj (Dp, H), W_pos (P*P, H) -> A (N, H, P, P)
    with A[n, :, i, j] = patches[n, i, j] @ W_proj + W_pos[i * P + j]."""
    N, P, _, Dp = patches.shape
    flat = patches.reshape(N, P * P, Dp)
    projected = flat @ W_proj + W_pos                       # (N, P*P, H)
    A = projected.transpose(0, 2, 1).reshape(N, -1, P, P)   # (N, H, P, P)
    return A, (flat, P)


def project_patches_backward(dA, cache):
    """Gradients (dW_proj, dW_pos) of project_patches, given dA (N, H, P, P)."""
    flat, P = cache
    N, H = dA.shape[:2]
    dprojected = dA.reshape(N, H, P * P).transpose(0, 2, 1)  # (N, P*P, H)
    dW_proj = flat.reshape(-1, flat.shape[2]).T @ dprojected.reshape(-1, H)
    dW_pos = dprojected.sum(axis=0)
    return dW_proj, dW_pos


def init_captioner(cell, V, Dp, P, H, D, rng, scale=None):
    """Parameters of a captioning model: small random weights, zero biases (float64).

    cell: "rnn" or "lstm" (decoder started from the mean feature) or "attention"."""
    blocks = 1 if cell == "rnn" else 4

    def weights(fan_in, *shape):
        return rng.standard_normal(shape) * (scale if scale else 1 / np.sqrt(fan_in))

    params = {"W_proj": weights(Dp, Dp, H), "W_pos": weights(H, P * P, H),
              "W_embed": weights(D, V, D), "Wx": weights(D, D, blocks * H),
              "Wh": weights(H, H, blocks * H), "b": np.zeros(blocks * H),
              "W_out": weights(H, H, V), "b_out": np.zeros(V)}
    if cell == "attention":
        params["Wattn"] = weights(H, H, 4 * H)
    return params
'''

DECODER = r'''
def decoder_start(params, patches, cell):
    """The decoder's state before the first word: the features A and h0 (and c0).
    h0 is the spatial mean of A; c0 is the same for "attention", zeros for "lstm"."""
    A, _ = project_patches(patches, params["W_proj"], params["W_pos"])
    h = A.mean(axis=(2, 3))
    c = h.copy() if cell == "attention" else np.zeros_like(h)
    return {"A": A, "h": h, "c": c}


def decoder_step(params, state, words, cell):
    """Feed one word per image, words (N,) ids, through one step of the decoder.

    Returns (scores, state, attn_weights): scores (N, V) for the next word, the new state,
    and the attention weights (N, P, P) of the step ("attention" only, else None)."""
    x = params["W_embed"][words]
    h, c, weights = state["h"], state["c"], None
    if cell == "rnn":
        h, _ = rnn_step_forward(x, h, params["Wx"], params["Wh"], params["b"])
    elif cell == "lstm":
        h, c, _ = lstm_step_forward(x, h, c, params["Wx"], params["Wh"], params["b"])
    else:
        attn, weights, _ = dot_product_attention_forward(h, state["A"])
        h, c, _ = attention_lstm_step_forward(x, h, c, attn, params["Wx"], params["Wh"],
                                              params["Wattn"], params["b"])
    scores = h @ params["W_out"] + params["b_out"]
    return scores, {"A": state["A"], "h": h, "c": c}, weights
'''

SOLUTIONS = {}

SOLUTIONS["dot_product_attention_forward"] = r'''
def dot_product_attention_forward(prev_h: np.ndarray,
                                  A: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Scaled dot-product attention of one hidden state over a P x P grid of features.

    Inputs:
    - prev_h: (N, H) the decoder's hidden state, the query
    - A: (N, H, P, P) projected image features, A[n, :, i, j] is the feature of position (i, j)

    Returns a tuple of:
    - attn: (N, H), the attention-weighted sum of the P*P features
    - attn_weights: (N, P, P), softmax over the P*P positions of
      scores[n, i, j] = A[n, :, i, j] . prev_h[n] / sqrt(H); they sum to 1 per image
    - cache: whatever dot_product_attention_backward needs
    """
    ### BEGIN SOLUTION
    N, H, P, _ = A.shape
    A_flat = A.reshape(N, H, P * P)
    scores = np.einsum("nhk,nh->nk", A_flat, prev_h) / math.sqrt(H)  # (N, P*P)
    scores = scores - scores.max(axis=1, keepdims=True)  # no overflow in exp
    weights = np.exp(scores)
    weights /= weights.sum(axis=1, keepdims=True)
    attn = np.einsum("nhk,nk->nh", A_flat, weights)
    attn_weights = weights.reshape(N, P, P)
    cache = (prev_h, A, attn_weights)
    ### END SOLUTION
    return attn, attn_weights, cache
'''

SOLUTIONS["dot_product_attention_backward"] = r'''
def dot_product_attention_backward(dattn: np.ndarray, dattn_weights: np.ndarray,
                                   cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Backward pass of dot_product_attention_forward.

    Inputs:
    - dattn: (N, H) upstream gradient of attn
    - dattn_weights: (N, P, P) upstream gradient of attn_weights (zeros when only attn
      is used downstream)
    - cache: from dot_product_attention_forward

    Returns a tuple of:
    - dprev_h: (N, H)
    - dA: (N, H, P, P), through both the weighted sum and the scores
    """
    ### BEGIN SOLUTION
    prev_h, A, attn_weights = cache
    N, H, P, _ = A.shape
    A_flat, weights = A.reshape(N, H, P * P), attn_weights.reshape(N, P * P)
    dweights = np.einsum("nhk,nh->nk", A_flat, dattn) + dattn_weights.reshape(N, P * P)
    dA_flat = np.einsum("nh,nk->nhk", dattn, weights)  # through the weighted sum
    # softmax: dscores_k = w_k (dw_k - sum_j w_j dw_j)
    dscores = weights * (dweights - np.sum(weights * dweights, axis=1, keepdims=True))
    dscores = dscores / math.sqrt(H)
    dprev_h = np.einsum("nhk,nk->nh", A_flat, dscores)
    dA_flat = dA_flat + np.einsum("nh,nk->nhk", prev_h, dscores)  # through the scores
    dA = dA_flat.reshape(A.shape)
    ### END SOLUTION
    return dprev_h, dA
'''

SOLUTIONS["attention_lstm_step_forward"] = r'''
def attention_lstm_step_forward(x: np.ndarray, prev_h: np.ndarray, prev_c: np.ndarray,
                                attn: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                                Wattn: np.ndarray, b: np.ndarray) -> tuple:
    """One step of an LSTM whose gates also see the attention vector.

    Inputs:
    - x: (N, D) input; prev_h, prev_c: (N, H) previous hidden and cell state
    - attn: (N, H) attention vector of this step
    - Wx: (D, 4H), Wh: (H, 4H), Wattn: (H, 4H), b: (4H,)

    The pre-activation a = x @ Wx + prev_h @ Wh + attn @ Wattn + b is split into four
    blocks of H in the order i, f, o, g (as in the lstm assignment):
    i, f, o = sigmoid(...), g = tanh(...), next_c = f * prev_c + i * g,
    next_h = o * tanh(next_c).

    Returns a tuple of:
    - next_h, next_c: (N, H)
    - cache: whatever attention_lstm_step_backward needs
    """
    ### BEGIN SOLUTION
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + attn @ Wattn + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, attn, Wx, Wh, Wattn, i, f, o, g, tanh_c)
    ### END SOLUTION
    return next_h, next_c, cache
'''

SOLUTIONS["attention_lstm_step_backward"] = r'''
def attention_lstm_step_backward(dnext_h: np.ndarray, dnext_c: np.ndarray,
                                 cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward pass of attention_lstm_step_forward.

    Inputs:
    - dnext_h, dnext_c: (N, H) upstream gradients of next_h and next_c
    - cache: from attention_lstm_step_forward

    Returns a tuple of:
    - dx: (N, D), dprev_h: (N, H), dprev_c: (N, H), dattn: (N, H)
    - dWx: (D, 4H), dWh: (H, 4H), dWattn: (H, 4H), db: (4H,)
    """
    ### BEGIN SOLUTION
    x, prev_h, prev_c, attn, Wx, Wh, Wattn, i, f, o, g, tanh_c = cache
    do = dnext_h * tanh_c
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    di, df, dg = dc * g, dc * prev_c, dc * i
    dprev_c = dc * f
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o),
                         dg * (1 - g ** 2)], axis=1)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dattn = da @ Wattn.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    dWattn = attn.T @ da
    db = da.sum(axis=0)
    ### END SOLUTION
    return dx, dprev_h, dprev_c, dattn, dWx, dWh, dWattn, db
'''

SOLUTIONS["attention_lstm_forward"] = r'''
def attention_lstm_forward(x: np.ndarray, A: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                           Wattn: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """The attention LSTM over a whole sequence.

    Inputs:
    - x: (N, T, D) inputs (the embedded caption words)
    - A: (N, H, P, P) projected image features
    - Wx: (D, 4H), Wh: (H, 4H), Wattn: (H, 4H), b: (4H,)

    h0 = c0 = the spatial mean of A, of shape (N, H). At every step t the attention vector
    is computed from the previous hidden state, dot_product_attention_forward(prev_h, A),
    and fed to attention_lstm_step_forward with x[:, t].

    Returns a tuple of:
    - h: (N, T, H) hidden states of every step
    - cache: whatever attention_lstm_backward needs
    """
    ### BEGIN SOLUTION
    T = x.shape[1]
    h0 = A.mean(axis=(2, 3))
    prev_h, prev_c = h0, h0
    hs, steps = [], []
    for t in range(T):
        attn, _, attn_cache = dot_product_attention_forward(prev_h, A)
        prev_h, prev_c, step_cache = attention_lstm_step_forward(
            x[:, t], prev_h, prev_c, attn, Wx, Wh, Wattn, b)
        hs.append(prev_h)
        steps.append((attn_cache, step_cache))
    h = np.stack(hs, axis=1)
    cache = (steps, A.shape, x.shape)
    ### END SOLUTION
    return h, cache
'''

SOLUTIONS["attention_lstm_backward"] = r'''
def attention_lstm_backward(dh: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward pass of attention_lstm_forward.

    Inputs:
    - dh: (N, T, H) upstream gradients of every hidden state
    - cache: from attention_lstm_forward

    Returns a tuple of:
    - dx: (N, T, D), dA: (N, H, P, P) (through every step's attention and through
      h0 = c0 = mean of A), dWx: (D, 4H), dWh: (H, 4H), dWattn: (H, 4H), db: (4H,)
    """
    ### BEGIN SOLUTION
    steps, A_shape, x_shape = cache
    N, T, H = dh.shape
    P = A_shape[2]
    dx = np.zeros(x_shape, dtype=dh.dtype)
    dA = np.zeros(A_shape, dtype=dh.dtype)
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    dprev_c = np.zeros((N, H), dtype=dh.dtype)
    dWx = dWh = dWattn = db = 0
    no_weights_grad = np.zeros((N, P, P), dtype=dh.dtype)
    for t in reversed(range(T)):
        attn_cache, step_cache = steps[t]
        dx[:, t], dprev_h, dprev_c, dattn, dWx_t, dWh_t, dWattn_t, db_t = \
            attention_lstm_step_backward(dh[:, t] + dprev_h, dprev_c, step_cache)
        dh_attn, dA_t = dot_product_attention_backward(dattn, no_weights_grad, attn_cache)
        dprev_h = dprev_h + dh_attn  # prev_h was also the query of this step's attention
        dA = dA + dA_t
        dWx, dWh, dWattn, db = dWx + dWx_t, dWh + dWh_t, dWattn + dWattn_t, db + db_t
    # h0 = c0 = mean of A over the P*P positions
    dA = dA + ((dprev_h + dprev_c) / (P * P))[:, :, None, None]
    ### END SOLUTION
    return dx, dA, dWx, dWh, dWattn, db
'''

SOLUTIONS["captioning_loss"] = r'''
def captioning_loss(params: dict, patches: np.ndarray, captions: np.ndarray,
                    cell: str) -> tuple[float, dict]:
    """Loss and gradients of a captioning model on a minibatch, with teacher forcing.

    Inputs:
    - params: dict of arrays, as made by init_captioner: W_proj (Dp, H), W_pos (P*P, H),
      W_embed (V, D), Wx (D, kH), Wh (H, kH), b (kH,) with k = 1 for "rnn" and 4 otherwise,
      W_out (H, V), b_out (V,), and Wattn (H, 4H) for "attention"
    - patches: (N, P, P, Dp) patch features of N images
    - captions: (N, T + 1) word ids: <START>, the words, <END>, then <NULL> padding
    - cell: "rnn" or "lstm" (h0 = the spatial mean of the features A, c0 = 0), or
      "attention" (attention_lstm_forward on A)

    Procedure: A, _ = project_patches(patches, W_proj, W_pos); the decoder reads
    captions[:, :-1] through the embedding W_embed and predicts captions[:, 1:] with
    scores = temporal_affine_forward(h, W_out, b_out); the loss is
    temporal_softmax_loss with mask = (captions[:, 1:] != NULL).

    Returns a tuple of:
    - loss: float
    - grads: dict with the same keys as params, each gradient of the shape of its parameter
    """
    ### BEGIN SOLUTION
    captions_in, captions_out = captions[:, :-1], captions[:, 1:]
    mask = captions_out != NULL
    A, proj_cache = project_patches(patches, params["W_proj"], params["W_pos"])
    P = A.shape[2]
    x, embed_cache = word_embedding_forward(captions_in, params["W_embed"])
    if cell == "attention":
        h, cell_cache = attention_lstm_forward(x, A, params["Wx"], params["Wh"],
                                               params["Wattn"], params["b"])
    else:
        h0 = A.mean(axis=(2, 3))
        forward = rnn_forward if cell == "rnn" else lstm_forward
        h, cell_cache = forward(x, h0, params["Wx"], params["Wh"], params["b"])
    scores, out_cache = temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)

    grads = {}
    dh, grads["W_out"], grads["b_out"] = temporal_affine_backward(dscores, out_cache)
    if cell == "attention":
        dx, dA, grads["Wx"], grads["Wh"], grads["Wattn"], grads["b"] = \
            attention_lstm_backward(dh, cell_cache)
    else:
        backward = rnn_backward if cell == "rnn" else lstm_backward
        dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = backward(dh, cell_cache)
        dA = np.broadcast_to((dh0 / (P * P))[:, :, None, None], A.shape)
    grads["W_embed"] = word_embedding_backward(dx, embed_cache)
    grads["W_proj"], grads["W_pos"] = project_patches_backward(dA, proj_cache)
    ### END SOLUTION
    return loss, grads
'''

SOLUTIONS["sample_greedy"] = r'''
def sample_greedy(params: dict, patches: np.ndarray, cell: str,
                  max_length: int) -> np.ndarray:
    """Greedy decoding: at every step the most likely next word, fed back in.

    Inputs:
    - params, cell: a model as in captioning_loss
    - patches: (N, P, P, Dp) patch features
    - max_length: number of decoding steps

    Start from state = decoder_start(params, patches, cell) and the word <START> for
    every image. Then max_length times: scores, state, _ = decoder_step(params, state,
    words, cell), the next words are np.argmax(scores, axis=1) (the first maximum), and
    they are fed at the next step.

    Returns:
    - captions: (N, max_length) int64, captions[n, t] is the word chosen at step t
      (<START> is not included). Once image n has produced <END>, that <END> is kept and
      every later entry of row n is <NULL>.
    """
    ### BEGIN SOLUTION
    N = patches.shape[0]
    state = decoder_start(params, patches, cell)
    words = np.full(N, START, dtype=np.int64)
    captions = np.full((N, max_length), NULL, dtype=np.int64)
    done = np.zeros(N, dtype=bool)
    for t in range(max_length):
        scores, state, _ = decoder_step(params, state, words, cell)
        words = np.argmax(scores, axis=1)
        captions[:, t] = np.where(done, NULL, words)
        done = done | (words == END)
    ### END SOLUTION
    return captions
'''

SOLUTIONS["beam_search"] = r'''
def beam_search(params: dict, patches: np.ndarray, cell: str, beam_width: int,
                max_length: int) -> tuple[np.ndarray, float]:
    """Beam search for the caption of one image, with length-normalised scores.

    Inputs:
    - params, cell: a model as in captioning_loss
    - patches: (P, P, Dp) patch features of ONE image
    - beam_width: k >= 1, how many hypotheses are kept at every step
    - max_length: at most this many words are generated (<END> included)

    A hypothesis is a list of word ids (without <START>) with the sum of their
    log-probabilities, log p = log softmax(scores). Procedure:
    1. One live hypothesis: no words, log p 0, state = decoder_start(params, patches[None],
       cell) (a batch of one); the word it feeds next is <START>.
    2. At most max_length times: every live hypothesis feeds its last word (or <START>)
       through decoder_step and is extended by each of the V words. Of all these
       extensions keep the k with the largest sum of log-probabilities (sort with
       kind="stable" on minus the sum, extensions listed hypothesis by hypothesis, word id
       by word id). A kept extension that ends with <END> is finished and is not extended
       again; the others are the live hypotheses of the next step. Stop early when no
       hypothesis is live.
    3. Among the finished hypotheses and those still live at the end, return the one with
       the largest length-normalised score, sum of log p / number of words (<END>
       counted), the first one on a tie (finished ones first, in the order they finished).

    Returns a tuple of:
    - caption: (L,) int64 word ids, ending with <END> if that hypothesis finished
    - score: float, its length-normalised log-probability
    """
    ### BEGIN SOLUTION
    live = [([], 0.0, decoder_start(params, patches[None], cell))]
    finished = []
    for _ in range(max_length):
        words, totals, states = [], [], []
        for ids, logp, state in live:
            last = ids[-1] if ids else START
            scores, new_state, _ = decoder_step(params, state, np.array([last]), cell)
            shifted = scores[0] - scores[0].max()
            log_probs = shifted - np.log(np.exp(shifted).sum())
            for word, word_logp in enumerate(log_probs):
                words.append(ids + [word])
                totals.append(logp + float(word_logp))
                states.append(new_state)
        order = np.argsort(-np.array(totals), kind="stable")[:beam_width]
        live = []
        for index in order:
            if words[index][-1] == END:
                finished.append((words[index], totals[index]))
            else:
                live.append((words[index], totals[index], states[index]))
        if not live:
            break
    hypotheses = finished + [(ids, logp) for ids, logp, _ in live]
    scores = [logp / len(ids) for ids, logp in hypotheses]
    best = int(np.argmax(scores))
    caption = np.array(hypotheses[best][0], dtype=np.int64)
    score = float(scores[best])
    ### END SOLUTION
    return caption, score
'''
