"""Markdown, visible tests and lab cells of the seq2seq notebook, and CELLS, its outline.

tools/notebook_builder.py describes the outline and builds the notebook from it (see build.py).
"""

from notebook_builder import exercise, opening, question, section

INTRO = r"""
# Sequence to sequence: translation with a masked encoder and additive attention

So far a network read a sequence and produced one answer, or wrote a sequence from one
input. Here it does both, **many-to-many** with sequences of different lengths: an
**encoder** reads a source sequence, a **decoder** writes the target sequence one token at a
time. This is how neural machine translation started. You will build both halves by hand:

1. a **bidirectional encoder** from your own vanilla RNN step, which reads padded
   sequences of different lengths in one batch and never lets the padding in;
2. **additive (Bahdanau) attention**, a softmax over the real source positions only;
3. the **attention decoder** step, the **teacher-forced loss** of the whole model with its
   gradient, and **greedy** and **beam-search** decoding.

Then you train a plain encoder-decoder, whose decoder only gets the encoder's last states,
one fixed vector, and the attention model, compare them as the sources get longer, and look
at where the attention goes.

**The task** (`datasets/dates.py`, generated, nothing downloaded): dates written the way
people write them, *the 3rd of march, 1998*, *tuesday, 3 march 1998*, *03/03/98*,
*march 3, 1998*, ..., to be translated into ISO form, *1998-03-03*, character by
character. The year comes first in the output but last in most inputs, the day last in the
output but often first in the input, and the inputs have from 8 to 53 characters (*tuesday,
the 3rd day of march in the year 1998*): the decoder must find each piece where it is.

**Release order.** Your earlier work ships as generated modules: `rnn_layers.py`
(`rnn_step_forward`, `rnn_step_backward`, `rnn_forward`, `rnn_backward`,
`clip_grad_norm`) and `char_lm_layers.py` (the embedding, the temporal affine layer and
the masked temporal softmax loss); `lstm_layers.py` ships too, because `char_lm_layers.py`
imports it (nothing here uses it).

**Grading.** Every function you write is in its own cell; the hidden tests check each output
and each gradient separately, on random shapes and edge shapes (a batch of one, a source of
one token, a batch in which one sequence has a single real token and the others are
longer, H = 1), in float64 and float32, and check that your functions do not modify their
inputs and that a backward pass still works with the cache of an earlier call. Run the
visible test after each function: it stops at the first problem with a message naming the
function, and ends with a numeric gradient check (float64, threshold 1e-7). The labs are not
graded and shrink to a few steps under the autograder. The written questions are graded by
hand.
"""

CHECK_HELPERS = r"""
# Helpers of the visible tests (not graded; they live in course_utils/checks.py). A check
# prints what it compared; when a value is off it stops the notebook with a message naming
# the function, the quantity and where to look. check_contracts runs first: your function
# must not write into its inputs (not even temporarily), must return new arrays, and must
# return float32 for float32 inputs.
from course_utils.checks import check_close, check_contracts, check_equal, check_gradients
"""

DATA_MD = r"""
## 0. The data

Every example is one date between 1950 and 2049 in one of fifteen formats. Numeric dates
are day first (*03/03/98* is the 3rd of March), and a two-digit year *yy* means 19yy from
50 up and 20yy below. The splits are by date: no date of the test split occurs in training,
in any format.

A batch of sources is padded with `<NULL>` (id 0) **at the end** to its longest source, and
comes with a boolean `mask` of shape (N, S): True at the real characters, False at the
padding. Targets are `<START>`, the ten characters of `YYYY-MM-DD`, `<END>`.
"""

DATA_CODE = r"""
import time

import matplotlib.pyplot as plt
import sacrebleu
from tqdm.auto import tqdm

from course_utils.runtime import lab_size
from course_utils.training import Adam, count_params
from datasets.dates import FORMATS, load_date_data, render, sample_batch

data = load_date_data()
src_vocab, tgt_vocab = data.source_vocab, data.target_vocab
Vs, Vt = len(src_vocab), len(tgt_vocab)
print(f"{len(data.train)} training, {len(data.val)} validation, {len(data.test)} test dates; "
      f"{Vs} source and {Vt} target tokens")
example = data.test.dates[0]
for fmt in range(len(FORMATS)):
    print(f"  {render(example, fmt):<40} -> {example.isoformat()}")
src, src_mask, tgt = data.train.batch(range(3))
print("a batch: src", src.shape, "mask", src_mask.shape, "tgt", tgt.shape)
print(src_mask.astype(int))
lengths = data.test.lengths
fig, ax = plt.subplots(figsize=(6, 2.6))
ax.hist(lengths, bins=np.arange(lengths.min(), lengths.max() + 2) - 0.5)
ax.set(xlabel="source length (characters)", ylabel="test dates")
plt.show()
"""

ENCODER_MD = r"""
## 1. A bidirectional encoder that respects the padding

The encoder runs two vanilla RNNs over the embedded source $x_1, \dots, x_L$ of a sequence
of length L, each from a zero state, with its own parameters:

$$\overrightarrow{h}_t = \tanh(x_t W_x^f + \overrightarrow{h}_{t-1} W_h^f + b^f), \qquad
\overleftarrow{h}_t = \tanh(x_t W_x^b + \overleftarrow{h}_{t+1} W_h^b + b^b),$$

$\overrightarrow{h}_0 = \overleftarrow{h}_{L+1} = 0$, and $h_t = [\overrightarrow{h}_t ;
\overleftarrow{h}_t]$ (2H numbers) describes character t *in its whole context*, what
comes before it and what comes after it.

*Indexing.* The equations count from 1, as papers do; the code counts from 0: $x_t$ is
`x[:, t - 1]`, $x_L$ is the last real token `x[n, L_n - 1]`, and $h_t$ is
`H_enc[:, t - 1]`. The text and the docstrings below use the code's 0-based t.

In a batch the sequences have different lengths $L_n$ and are padded at the end. Padding is
not part of the sentence, so:

- the **forward** direction may run over the padding (it comes after every real token),
  but its states there are not states of the sentence: `H_enc` is **zero** at padded
  positions;
- the **backward** direction must start at each sequence's own last real token
  $L_n - 1$ from a zero state. Run it over t = S-1, ..., 0 for the whole batch and set the
  state to zero at every padded position (multiply by the mask): then the state that
  reaches $t = L_n - 1$ is zero, as if the padding were not there.

Build it from `rnn_step_forward` (one call per step and direction). In the backward pass,
undo the same steps with `rnn_step_backward`: the upstream gradient at padded positions is
ignored (H_enc does not depend on anything there), and where the forward pass multiplied a
state by the mask, multiply its gradient by the mask.
"""

BI_FW_VISIBLE = r"""
N, S, D, H = 3, 5, 2, 3
x = np.linspace(-1.0, 1.2, num=N * S * D).reshape(N, S, D)
mask = np.array([[True, True, True, True, True], [True, True, True, False, False],
                 [True, False, False, False, False]])  # lengths 5, 3 and 1
x[~mask] = 4.0  # the padding's inputs are not zero: they must not matter
weights = (np.linspace(-0.8, 0.6, num=D * H).reshape(D, H),   # Wx_f
           np.linspace(0.5, -0.4, num=H * H).reshape(H, H),   # Wh_f
           np.linspace(-0.1, 0.2, num=H),                     # b_f
           np.linspace(0.7, -0.5, num=D * H).reshape(D, H),   # Wx_b
           np.linspace(-0.3, 0.6, num=H * H).reshape(H, H),   # Wh_b
           np.linspace(0.2, -0.2, num=H))                     # b_b
check_contracts("bidirectional_rnn_forward", bidirectional_rnn_forward, x, mask, *weights,
                outputs=("H_enc", "cache"))
H_enc, _ = bidirectional_rnn_forward(x, mask, *weights)
assert np.shape(H_enc) == (N, S, 2 * H), (
    f"bidirectional_rnn_forward: H_enc has shape {np.shape(H_enc)}, expected (N, S, 2H) = "
    f"{(N, S, 2 * H)}: the forward states in H_enc[:, :, :H], the backward ones after them")
assert np.all(H_enc[~mask] == 0), (
    "bidirectional_rnn_forward: H_enc is not zero at the padded positions (mask False): "
    "multiply the states of both directions by mask[:, t, None]")
start, _ = rnn_step_forward(x[1:2, 2], np.zeros((1, H)), *weights[3:])
assert np.allclose(H_enc[1, 2, H:], start[0]), (
    "bidirectional_rnn_forward: in the sequence of length 3, the backward state at its last "
    "real token (t = 2) is not one step from a zero state: the backward direction must start "
    "at each sequence's last real token, so zero its state at every padded position")
# EXPECTED
check_close("bidirectional_rnn_forward", "H_enc", H_enc, expected_H_enc,
            "H_enc[:, t, :H] is the forward state after reading x[:, t] (t = 0, 1, ...), "
            "H_enc[:, t, H:] the backward state after reading x[:, t] from the end (t = S-1, "
            "..., 0); each direction uses its own Wx, Wh, b and starts from zeros")
"""

BI_BW_VISIBLE = r"""
rng = np.random.default_rng(0)
N, S, D, H = 3, 5, 2, 3
x = rng.standard_normal((N, S, D))
mask = np.arange(S)[None, :] < np.array([5, 3, 1])[:, None]
weights = tuple(0.6 * rng.standard_normal(shape)
                for shape in [(D, H), (H, H), (H,), (D, H), (H, H), (H,)])
dH_enc = rng.standard_normal((N, S, 2 * H))  # not zero at the padding either
_, cache = bidirectional_rnn_forward(x, mask, *weights)
names = ("dx", "dWx_f", "dWh_f", "db_f", "dWx_b", "dWh_b", "db_b")
check_contracts("bidirectional_rnn_backward", bidirectional_rnn_backward, dH_enc, cache,
                outputs=names)
grads = bidirectional_rnn_backward(dH_enc, cache)
dx, dWx_f, dWh_f, db_f, dWx_b, dWh_b, db_b = grads
assert np.shape(dx) == x.shape and np.all(dx[~mask] == 0), (
    "bidirectional_rnn_backward: dx is not zero at the padded positions: the upstream "
    "gradient there must be dropped (H_enc is zero there whatever x is), and in the backward "
    "direction the gradient of a state zeroed by the mask is zero")
# EXPECTED
look_at = dict.fromkeys(names[1:4], "the forward direction: walk t = S-1, ..., 0, adding the "
                        "dprev_h of step t + 1 to dH_enc[:, t, :H] (masked), and sum over steps")
look_at |= dict.fromkeys(names[4:], "the backward direction: walk t = 0, ..., S-1, adding the "
                         "dprev_h of step t - 1 to dH_enc[:, t, H:], then multiply by the mask "
                         "at t before rnn_step_backward; sum over steps")
look_at["dx"] = "dx[:, t] is the sum of both directions' dx at step t"
expected = dict(zip(names, (expected_dx, expected_dWx_f, expected_dWh_f, expected_db_f,
                            expected_dWx_b, expected_dWh_b, expected_db_b)))
for name, got in zip(names, grads):
    check_close("bidirectional_rnn_backward", name, got, expected[name], look_at[name])


def encoder_states(_):
    return bidirectional_rnn_forward(x, mask, *weights)[0]


check_gradients("bidirectional_rnn_backward",
                {name: (eval_numerical_gradient_array(encoder_states, value, dH_enc), got)
                 for name, value, got in zip(names, (x, *weights), grads)}, look_at,
                threshold=1e-7)
"""

ATTENTION_MD = r"""
## 2. Additive attention over the real source positions

At every output step the decoder, in state $s_{t-1}$, scores every source position j with a
small network (Bahdanau, Cho and Bengio, 2015), turns the scores into weights with a
softmax over the **real** positions of its own source, and reads the weighted mean of the
encoder states, the **context**:

$$e_j = v^\top \tanh(s_{t-1} W_s + h_j W_h), \qquad
\alpha_j = \frac{\exp(e_j)}{\sum_{k:\ \mathrm{mask}_k} \exp(e_k)} \ \text{ for mask}_j,
\quad \alpha_j = 0 \text{ otherwise}, \qquad c = \sum_j \alpha_j h_j .$$

Set the scores of padded positions to $-\infty$ before the softmax (`np.where(mask,
scores, -np.inf)`): $e^{-\infty} = 0$ exactly, and the weights of the real positions
still sum to 1. Then shift by the maximum **over the real positions** (the row maximum
*after* masking) before `np.exp`, as in every softmax: a padded position may hold the largest
raw score of its row, and shifting by that can send every real score to $-\infty$, and the
softmax to 0/0 = NaN.

Backward: $\partial c / \partial h_j = \alpha_j$ (the weighted sum) and the scores give a
second path to $h_j$ and the only path to $s_{t-1}$, $W_s$, $W_h$, $v$. With
$\partial\alpha_j = h_j^\top \partial c + $ `dweights`, the softmax backward is
$\partial e_j = \alpha_j(\partial\alpha_j - \sum_k \alpha_k\,\partial\alpha_k)$ (zero at
padding, where $\alpha_j = 0$); then through the tanh, remembering that $s_{t-1} W_s$ was
added at every position j.
"""

ATT_FW_VISIBLE = r"""
N, S, Hd, He, A = 3, 4, 2, 3, 4
s_prev = np.linspace(-0.7, 0.9, num=N * Hd).reshape(N, Hd)
H_enc = np.linspace(-1.1, 1.0, num=N * S * He).reshape(N, S, He)
mask = np.arange(S)[None, :] < np.array([4, 2, 1])[:, None]
W_s = np.linspace(-0.5, 0.8, num=Hd * A).reshape(Hd, A)
W_h = np.linspace(0.9, -0.6, num=He * A).reshape(He, A)
v = np.linspace(-1.2, 1.5, num=A)
check_contracts("additive_attention_forward", additive_attention_forward, s_prev, H_enc, mask,
                W_s, W_h, v, outputs=("context", "weights", "cache"))
context, weights, _ = additive_attention_forward(s_prev, H_enc, mask, W_s, W_h, v)
assert np.shape(weights) == (N, S) and np.shape(context) == (N, He), (
    f"additive_attention_forward: got context {np.shape(context)} and weights "
    f"{np.shape(weights)}, expected {(N, He)} and {(N, S)}")
assert np.all(weights[~mask] == 0), (
    "additive_attention_forward: the weights of padded positions are not exactly 0: set "
    "their scores to -inf before the softmax, so that the padding takes no share of it")
assert np.allclose(weights.sum(axis=1), 1), (
    "additive_attention_forward: the weights of a sequence do not sum to 1 over its real "
    "positions: mask the scores before the softmax (a mask applied after it leaves the "
    "real weights too small), and normalise over the source positions (axis 1)")
big_H_enc = H_enc.copy()
big_H_enc[~mask] = -2.0  # the padding holds the largest raw score of rows 1 and 2
try:
    _, big_weights, _ = additive_attention_forward(s_prev, big_H_enc, mask, W_s, W_h,
                                                   1e4 * v)
except (ValueError, FloatingPointError) as error:
    raise AssertionError("additive_attention_forward: with scores of size 1e4 it raised "
                         f"{error!r}: subtract each row's maximum before np.exp") from None
assert np.all(np.isfinite(big_weights)), (
    "additive_attention_forward: the weights are not finite (overflow, or NaN from 0/0) for "
    "scores of size 1e4, where a padded position holds the largest raw score of rows 1 and "
    "2: mask first, then subtract each row's maximum over the REAL positions before np.exp")
# EXPECTED
check_close("additive_attention_forward", "weights", weights, expected_weights,
            "scores[n, j] = v . tanh(s_prev[n] @ W_s + H_enc[n, j] @ W_h), then a softmax "
            "over the real positions j of sequence n")
check_close("additive_attention_forward", "context", context, expected_context,
            "context[n] = sum over the source positions j of weights[n, j] * H_enc[n, j]")
check_close("additive_attention_forward", "weights for scores of size 1e4",
            big_weights, expected_big_weights,
            "mask the scores (-inf at padding), then subtract the row maximum of the masked "
            "scores before np.exp")
"""

ATT_BW_VISIBLE = r"""
rng = np.random.default_rng(1)
N, S, Hd, He, A = 3, 4, 2, 3, 4
s_prev, H_enc = rng.standard_normal((N, Hd)), rng.standard_normal((N, S, He))
mask = np.arange(S)[None, :] < np.array([4, 2, 1])[:, None]
W_s, W_h, v = (rng.standard_normal((Hd, A)), rng.standard_normal((He, A)),
               rng.standard_normal(A))
dcontext, dweights = rng.standard_normal((N, He)), rng.standard_normal((N, S))
_, _, cache = additive_attention_forward(s_prev, H_enc, mask, W_s, W_h, v)
names = ("ds_prev", "dH_enc", "dW_s", "dW_h", "dv")
check_contracts("additive_attention_backward", additive_attention_backward, dcontext,
                dweights, cache, outputs=names)
grads = additive_attention_backward(dcontext, dweights, cache)
ds_prev, dH_enc, dW_s, dW_h, dv = grads
# EXPECTED
look_at = dict.fromkeys(names, "dscores = weights * (dw - sum(weights * dw)) with dw = "
                        "H_enc . dcontext + dweights, then through tanh: dpre = dscores * v "
                        "* (1 - tanh**2)")
look_at["ds_prev"] = "ds_prev = (dpre summed over the positions j) @ W_s.T"
look_at["dW_s"] = "dW_s = s_prev.T @ (dpre summed over the positions j)"
look_at["dH_enc"] = ("dH_enc has two terms: weights[n, j] * dcontext[n] (the weighted sum) "
                     "and dpre @ W_h.T (the scores)")
expected = dict(zip(names, (expected_ds_prev, expected_dH_enc, expected_dW_s, expected_dW_h,
                            expected_dv)))
for name, got in zip(names, grads):
    check_close("additive_attention_backward", name, got, expected[name], look_at[name])


def attention_objective(_):  # the scalar whose gradient the backward pass computes
    context, weights, _ = additive_attention_forward(s_prev, H_enc, mask, W_s, W_h, v)
    return np.sum(context * dcontext) + np.sum(weights * dweights)


check_gradients("additive_attention_backward",
                {name: (eval_numerical_gradient(attention_objective, value), got)
                 for name, value, got in zip(names, (s_prev, H_enc, W_s, W_h, v), grads)},
                look_at, threshold=1e-7)
"""

STEP_MD = r"""
## 3. The attention decoder step

One step of the decoder reads the embedding $x_t$ of the previous output character. It first
asks the attention where to look, with its previous state, then takes a vanilla RNN step
whose input is $x_t$ **and the context** (input feeding):

$$c_t, \alpha_t = \mathrm{attention}(s_{t-1}, H_{enc}, \mathrm{mask}), \qquad
s_t = \tanh([x_t ; c_t] W_x + s_{t-1} W_h + b).$$

$W_x$ has D + He rows: the first D read $x_t$, the last He the context. Use your
`additive_attention_forward` and the shipped `rnn_step_forward`. In the backward pass,
$s_{t-1}$ was used twice, by the RNN step and as the attention's query: its gradient is the
sum of both. The weights are returned for plotting only: their upstream gradient is zero.
"""

STEP_FW_VISIBLE = r"""
N, S, D, Hd, He, A = 2, 3, 2, 3, 4, 2
x = np.linspace(-0.5, 0.8, num=N * D).reshape(N, D)
s_prev = np.linspace(0.6, -0.4, num=N * Hd).reshape(N, Hd)
H_enc = np.linspace(-0.9, 1.1, num=N * S * He).reshape(N, S, He)
mask = np.array([[True, True, True], [True, True, False]])
Wx = np.linspace(-0.7, 0.9, num=(D + He) * Hd).reshape(D + He, Hd)
Wh = np.linspace(0.4, -0.5, num=Hd * Hd).reshape(Hd, Hd)
b = np.linspace(-0.2, 0.3, num=Hd)
W_s = np.linspace(0.3, -0.8, num=Hd * A).reshape(Hd, A)
W_h = np.linspace(-0.6, 0.7, num=He * A).reshape(He, A)
v = np.array([1.1, -0.9])
args = (x, s_prev, H_enc, mask, Wx, Wh, b, W_s, W_h, v)
check_contracts("attention_decoder_step_forward", attention_decoder_step_forward, *args,
                outputs=("s_next", "weights", "cache"))
s_next, weights, _ = attention_decoder_step_forward(*args)
# EXPECTED
check_close("attention_decoder_step_forward", "weights", weights, expected_weights,
            "the weights are additive_attention_forward(s_prev, H_enc, mask, W_s, W_h, v): "
            "attend with the PREVIOUS state s_prev, before the RNN step")
check_close("attention_decoder_step_forward", "s_next", s_next, expected_s_next,
            "s_next = rnn_step_forward(np.concatenate([x, context], axis=1), s_prev, Wx, Wh, "
            "b): x first, then the context of this step")
"""

STEP_BW_VISIBLE = r"""
rng = np.random.default_rng(2)
N, S, D, Hd, He, A = 3, 4, 2, 3, 4, 2
x, s_prev = rng.standard_normal((N, D)), rng.standard_normal((N, Hd))
H_enc = rng.standard_normal((N, S, He))
mask = np.arange(S)[None, :] < np.array([4, 2, 1])[:, None]
Wx, Wh = 0.6 * rng.standard_normal((D + He, Hd)), 0.6 * rng.standard_normal((Hd, Hd))
b = 0.3 * rng.standard_normal(Hd)
W_s, W_h, v = (rng.standard_normal((Hd, A)), rng.standard_normal((He, A)),
               rng.standard_normal(A))
inputs = (x, s_prev, H_enc, Wx, Wh, b, W_s, W_h, v)
ds_next = rng.standard_normal((N, Hd))
_, _, cache = attention_decoder_step_forward(x, s_prev, H_enc, mask, Wx, Wh, b, W_s, W_h, v)
names = ("dx", "ds_prev", "dH_enc", "dWx", "dWh", "db", "dW_s", "dW_h", "dv")
check_contracts("attention_decoder_step_backward", attention_decoder_step_backward, ds_next,
                cache, outputs=names)
grads = attention_decoder_step_backward(ds_next, cache)
dx, ds_prev, dH_enc, dWx, dWh, db, dW_s, dW_h, dv = grads
# EXPECTED
look_at = dict.fromkeys(names, "rnn_step_backward(ds_next, ...) gives the gradient of the "
                        "input [x ; context]: its first D columns are dx, the rest dcontext, "
                        "which goes through additive_attention_backward (dweights = 0)")
look_at["ds_prev"] = ("ds_prev is the sum of the RNN step's dprev_h and the attention's "
                      "ds_prev (s_prev was also the query)")
expected = dict(zip(names, (expected_dx, expected_ds_prev, expected_dH_enc, expected_dWx,
                            expected_dWh, expected_db, expected_dW_s, expected_dW_h,
                            expected_dv)))
for name, got in zip(names, grads):
    check_close("attention_decoder_step_backward", name, got, expected[name], look_at[name])


def next_state(_):
    return attention_decoder_step_forward(x, s_prev, H_enc, mask, Wx, Wh, b, W_s, W_h, v)[0]


check_gradients("attention_decoder_step_backward",
                {name: (eval_numerical_gradient_array(next_state, value, ds_next), got)
                 for name, value, got in zip(names, inputs, grads)}, look_at,
                threshold=1e-7)
"""

LOSS_MD = r"""
## 4. The two translation models and their loss

Both models share the encoder, the embeddings, the output layer and the loss; the decoder
starts from the same state, the encoder's summary $s_0 = [\overrightarrow{h}_{L} ;
\overleftarrow{h}_1]$, the forward direction's state at the last real token and the backward
direction's at the first, `[H_enc[n, L_n - 1, :H] ; H_enc[n, 0, H:]]` in 0-based code
(`encoder_summary` in the setup cell, with its backward pass), so the decoder has Hd = 2H
units.

- `"plain"`: a vanilla RNN decoder (`rnn_forward`) from $s_0$ that reads $s_0$ again at
  every step, next to the embedding $y_t$ of the previous character: its input is
  $[y_t ; s_0]$, the same context at every step (the encoder-decoder of Cho et al., 2014).
  **Everything** it knows of the source must fit in those 2H numbers: the *bottleneck*.
- `"attention"`: your attention decoder step at every output step, from $s_0$: the same
  input layout $[y_t ; c_t]$, but the context $c_t$ is attended afresh at every step from
  all the encoder states.

In both models `Wx` has D + 2H rows. In the plain model's backward pass, $s_0$ was used
T + 1 times, as the initial state and as the context of each of the T steps: its gradient
is the sum of all of them.

During training the decoder reads the reference shifted by one (**teacher forcing**): fed
`<START> 1 9 9 8 - 0 3 - 0` it must predict `1 9 9 8 - 0 3 - 0 3 <END>`. Padding `<NULL>`
in the target is masked out of the loss (`temporal_softmax_loss` with mask `tgt[:, 1:] !=
NULL`). `seq2seq_loss` wires the layers together and runs the backward pass all the way to
the source embedding: the encoder's gradient `dH_enc` collects the attention's gradients of
every decoder step and the summary's.
"""

LOSS_VISIBLE = r"""
rng = np.random.default_rng(16)
N, S, D, H, A, Vs_toy, Vt_toy = 3, 5, 2, 2, 3, 6, 7
toy_src = rng.integers(1, Vs_toy, size=(N, S))
toy_mask = np.arange(S)[None, :] < np.array([5, 3, 1])[:, None]
toy_tgt = np.array([[START, 4, 5, 6, END], [START, 3, END, NULL, NULL],
                    [START, END, NULL, NULL, NULL]])
losses, all_grads, toy_models = {}, {}, {}
for model in ("plain", "attention"):
    toy_models[model] = init_seq2seq(model, Vs_toy, Vt_toy, D, H, A, np.random.default_rng(17),
                                     scale=0.6)
    for bias in ("b_f", "b_b", "b"):
        toy_models[model][bias] = 0.3 * np.random.default_rng(18).standard_normal(
            toy_models[model][bias].shape)
check_contracts("seq2seq_loss", seq2seq_loss, toy_models["attention"], toy_src, toy_mask,
                toy_tgt, "attention", float_outputs=False, outputs=("loss", "grads"))
for model in ("plain", "attention"):
    losses[model], all_grads[model] = seq2seq_loss(toy_models[model], toy_src, toy_mask,
                                                   toy_tgt, model)
loss_plain, loss_attention = losses["plain"], losses["attention"]
dW_src_attention = all_grads["attention"]["W_src"]
dWx_b_plain = all_grads["plain"]["Wx_b"]
# EXPECTED
look_at = ("feed tgt[:, :-1], predict tgt[:, 1:], mask = tgt[:, 1:] != NULL; both models start "
           "from s0 = encoder_summary(H_enc, src_mask); plain: rnn_forward on the inputs "
           "[embedding ; s0] (s0 at every step); attention: attention_decoder_step_forward "
           "at every step")
for model, expected in (("plain", expected_loss_plain), ("attention", expected_loss_attention)):
    check_close("seq2seq_loss", f"the {model} loss", losses[model], expected, look_at)
    assert set(all_grads[model]) == set(toy_models[model]), (
        f"seq2seq_loss: grads has keys {sorted(all_grads[model])}, expected one per "
        f"parameter: {sorted(toy_models[model])}")
check_close("seq2seq_loss", "dWx_b of the plain model", dWx_b_plain, expected_dWx_b_plain,
            "the plain decoder reaches the encoder only through s0: ds0 is the initial "
            "state's gradient plus the context's gradient summed over the steps, then "
            "dH_enc = encoder_summary_backward(ds0, ...) and bidirectional_rnn_backward")
check_close("seq2seq_loss", "dW_src of the attention model", dW_src_attention,
            expected_dW_src_attention,
            "dH_enc sums every decoder step's dH_enc and the summary's, before "
            "bidirectional_rnn_backward and word_embedding_backward")
for model in ("plain", "attention"):
    params = toy_models[model]
    numeric = {name: eval_numerical_gradient(
        lambda _: seq2seq_loss(params, toy_src, toy_mask, toy_tgt, model)[0], value)
        for name, value in params.items()}
    check_gradients(f"seq2seq_loss ({model})",
                    {name: (numeric[name], all_grads[model][name]) for name in params},
                    dict.fromkeys(params, look_at), threshold=1e-7)
"""

DECODE_MD = r"""
## 5. Writing the translation: greedy decoding and beam search

At test time there is no reference to feed: the decoder is fed its own previous output. The
two helpers below (locked; not graded) run either model one step at a time: `encode` runs
the encoder once and returns the decoder's first state, `decoder_step` feeds one id per
sequence and returns the scores of the next one (and, for the attention model, the weights
of the step). They take the layers they run as arguments: call them with your
`bidirectional_rnn_forward` and `attention_decoder_step_forward`, as the docstrings say.

**Greedy decoding** takes the most likely character at every step. A character chosen
early is never taken back.

**Beam search** keeps the k best partial outputs (the *beam*) instead of one. At every step
each is extended by every character, and the k extensions with the largest total
log-probability survive. An output that ends with `<END>` is finished and set aside.
Finished outputs of different lengths are compared by their **length-normalised** score,
the mean log-probability per token: every token adds a negative term, so the plain sum
would favour whatever stops first. With k = 1 beam search is greedy decoding.
"""

GREEDY_VISIBLE = r"""
toy = init_seq2seq("attention", 6, 6, 3, 2, 3, np.random.default_rng(44), scale=1.5)
toy_plain = init_seq2seq("plain", 6, 6, 3, 2, 3, np.random.default_rng(16), scale=1.5)
for params in (toy, toy_plain):
    params["b_out"][[NULL, START]] -= 3.0  # as in a trained model: never generated
toy_src = np.random.default_rng(8).integers(1, 6, size=(3, 5))
toy_mask = np.arange(5)[None, :] < np.array([5, 2, 4])[:, None]
check_contracts("greedy_decode", greedy_decode, toy, toy_src, toy_mask, "attention", 6,
                float_outputs=False, outputs=("out",))
greedy = greedy_decode(toy, toy_src, toy_mask, "attention", 6)
greedy_plain = greedy_decode(toy_plain, toy_src, toy_mask, "plain", 5)
# EXPECTED
look_at = ("feed <START> first, then each step's np.argmax(scores, axis=1); keep <END> and "
           "write <NULL> after it; the output is (N, max_length) without <START>")
assert np.shape(greedy) == (3, 6), f"greedy_decode: got shape {np.shape(greedy)}: " + look_at
check_equal("greedy_decode", "the attention model's outputs", np.asarray(greedy).tolist(),
            expected_greedy.tolist(), look_at)
check_equal("greedy_decode", "the plain model's outputs", np.asarray(greedy_plain).tolist(),
            expected_greedy_plain.tolist(), look_at)
"""

BEAM_VISIBLE = r"""
toy = init_seq2seq("attention", 6, 6, 3, 2, 3, np.random.default_rng(14), scale=1.5)
toy["b_out"][[NULL, START]] -= 3.0  # as in a trained model: never generated
toy["b_out"][END] += 2.0  # <END> is likely: hypotheses finish at different lengths
one_src = np.array([3, 1, 4, 1, 5])
one_mask = np.array([True, True, True, True, False])
check_contracts("beam_search_decode", beam_search_decode, toy, one_src, one_mask, "attention",
                3, 6, float_outputs=False, outputs=("out", "score"))
beam_1, score_1 = beam_search_decode(toy, one_src, one_mask, "attention", 1, 6)
beam_3, score_3 = beam_search_decode(toy, one_src, one_mask, "attention", 3, 6)
greedy_1 = greedy_decode(toy, one_src[None], one_mask[None], "attention", 6)[0]
# A model whose ids 3 and 4 have the same output column: exactly tied log-probabilities.
tied = init_seq2seq("attention", 6, 6, 3, 2, 3, np.random.default_rng(17), scale=1.5)
tied["b_out"][[NULL, START, END]] += [-3.0, -3.0, 1.0]
tied["W_out"][:, 4], tied["b_out"][4] = tied["W_out"][:, 3], tied["b_out"][3]
beam_tied, score_tied = beam_search_decode(tied, one_src, one_mask, "attention", 3, 5)
# EXPECTED
look_at = ("keep the k extensions with the largest SUM of log-probabilities, set finished "
           "ones aside, and return the best of finished and live hypotheses by the MEAN "
           "log-probability per token (<END> counted)")
check_equal("beam_search_decode", "the output with beam width 1 (greedy decoding)",
            np.asarray(beam_1).tolist(), [int(w) for w in greedy_1[:len(beam_1)]],
            "with k = 1 beam search is greedy decoding")
assert np.asarray(beam_3).tolist() != np.asarray(beam_1).tolist(), (
    f"beam_search_decode: with beam width 3 it returned the greedy output "
    f"{np.asarray(beam_3).tolist()}; on this model the best of the beam is "
    f"{expected_beam_3.tolist()}: keep the beam_width best extensions at every step, not "
    "only the best one")
if expected_beam_3[-1] != END and len(beam_3) and beam_3[-1] == END:
    look_at = ("the best hypothesis here is still live after max_length = 6 steps (it has no "
               "<END>): at the end the live hypotheses compete with the finished ones, by the "
               "same length-normalised score")
else:
    look_at = ("here <END> is among the 3 best extensions at the first step: that finished "
               "hypothesis takes one of the k places, so only 2 stay live. Keep the k best "
               "extensions of all (finished or not), then set the finished ones aside; do not "
               "refill the beam with k live ones. " + look_at)
check_equal("beam_search_decode", "the output with beam width 3", np.asarray(beam_3).tolist(),
            expected_beam_3.tolist(), look_at)
check_close("beam_search_decode", "the score with beam width 3", score_3, expected_score_3,
            look_at)
check_close("beam_search_decode", "the score with beam width 1", score_1, expected_score_1,
            look_at)
check_equal("beam_search_decode", "the output with beam width 3 when ids 3 and 4 tie",
            np.asarray(beam_tied).tolist(), expected_beam_tied.tolist(),
            "ids 3 and 4 have exactly the same log-probability at every step: sort with "
            'kind="stable" on minus the sums, the extensions listed hypothesis by hypothesis, '
            "id by id, so a tie keeps the earlier one (np.argsort's default sort is not "
            "stable)")
check_close("beam_search_decode", "the score when ids 3 and 4 tie", score_tied,
            expected_score_tied, "the same as the output's")
"""

LAB_MD = r"""
## 6. Training the two models

The loop below trains a model with teacher forcing, global-norm gradient clipping (your
`clip_grad_norm`) and Adam, the learning rate decaying geometrically to a tenth of its
start. Each minibatch is drawn among training dates whose sources have about the same
length (within 4 characters), so that little time goes into padding. Both models see the
same minibatches in the same order. An attention step costs about four plain steps (the
scores over every source position at every output step), so the two runs get about the
same CPU time: the plain model 4000 steps, the attention model 1000.
"""

SETTINGS = r"""
EMBED, HIDDEN, ATTN, BATCH, MAX_NORM = 16, 24, 32, 64, 5.0  # H = 24: Hd = 2H = 48
STEPS = {"plain": 4000, "attention": 1000}
LEARNING_RATE = {"plain": 1e-2, "attention": 1e-2}
"""

LAB_TRAIN = r"""
def train(model, steps, learning_rate, seed=0):
    params = init_seq2seq(model, Vs, Vt, EMBED, HIDDEN, ATTN, np.random.default_rng(seed))
    batches = np.random.default_rng(seed + 1)  # the same minibatches for both models
    optimizer, losses = Adam(lr=learning_rate), []
    started = time.process_time()
    for step in tqdm(range(steps), desc=f"training {model}"):
        optimizer.lr = learning_rate * 0.1 ** (step / steps)
        src, src_mask, tgt = sample_batch(data.train, BATCH, batches)
        loss, grads = seq2seq_loss(params, src, src_mask, tgt, model)
        grads, _ = clip_grad_norm(grads, MAX_NORM)
        optimizer.step(params, grads)
        losses.append(loss)
    print(f"{model}: {count_params(params):,} parameters, {steps} steps in "
          f"{time.process_time() - started:.0f} s of CPU, final loss "
          f"{np.mean(losses[-100:]):.3f} per date")
    return params, losses


models, curves = {}, {}
for model in ("plain", "attention"):
    models[model], curves[model] = train(model, lab_size(full=STEPS[model], grading=2),
                                         LEARNING_RATE[model])
"""

LAB_CURVES = r"""
from course_utils.curves import moving_average

fig, ax = plt.subplots(figsize=(7, 3.5))
for model, losses in curves.items():
    ax.plot(moving_average(losses, min(50, len(losses))), label=model)
ax.set(xlabel="step", ylabel="loss per date (nats, 11 characters)", yscale="log",
       title="training loss (moving average)")
ax.legend()
plt.show()
"""

EVAL_MD = r"""
### Evaluation on the test dates, by source length

**Exact match**: the whole ISO date right, the only thing that counts for a date. **BLEU**
(`sacrebleu`, on characters: `tokenize="char"`) gives partial credit for the character
n-grams an output shares with the reference; it is the usual translation metric, and here
it shows how wrong the wrong outputs are. Both are computed for groups of sources by length;
the number of test dates in each group is under its label.

**Bottlenecked or undertrained?** The plain model's loss is still falling at 4000 steps
(about 0.4 per date), so the comparison below is at equal CPU, not at convergence. In one
run outside this notebook (the same settings, 12000 steps, the learning-rate decay
stretched to match, about 100 s of CPU) the plain model reached 99.7% exact on the test
dates (99 to 100% in every length group) and a loss of 0.004. So at these lengths (at most
53 characters, three small numbers to carry) 48 numbers *can* hold a date: what the fixed
vector costs here is how long the model takes to learn to carry each field across 10 to 30
updates, which is what the fall with length below shows. Attention needs no such carrying
and gets there in 1000 steps; on longer sources, or with more to carry than a date, the
fixed vector becomes a hard limit.
"""

EVAL_CODE = r"""
MAX_LENGTH = 11  # ten characters and <END>
TEST_SIZE = lab_size(full=len(data.test), grading=6)
BINS = [(8, 10), (11, 15), (16, 20), (21, 27), (28, 35), (36, 43), (44, 53)]  # both ends in
references = list(data.test.targets[:TEST_SIZE])
lengths = data.test.lengths[:TEST_SIZE]


def translate(params, model, first, count):  # greedy decoding, 500 dates at a time
    texts = []
    for start in range(first, first + count, 500):
        src, src_mask, _ = data.test.batch(range(start, min(start + 500, first + count)))
        texts += [tgt_vocab.decode(row)
                  for row in greedy_decode(params, src, src_mask, model, MAX_LENGTH)]
    return texts


outputs = {model: translate(params, model, 0, TEST_SIZE) for model, params in models.items()}
exact, bleu = {}, {}
for model, texts in outputs.items():
    right = np.array([t == r for t, r in zip(texts, references)])
    exact[model], bleu[model] = [], []
    for low, high in BINS:
        chosen = np.flatnonzero((lengths >= low) & (lengths <= high))
        exact[model].append(100 * right[chosen].mean() if len(chosen) else np.nan)
        bleu[model].append(sacrebleu.corpus_bleu(
            [texts[i] for i in chosen], [[references[i] for i in chosen]],
            tokenize="char").score if len(chosen) else np.nan)
    print(f"{model:<10} exact match {100 * right.mean():5.1f}%   BLEU "
          f"{sacrebleu.corpus_bleu(texts, [references], tokenize='char').score:5.1f}   "
          f"({len(texts)} test dates)")
FIELDS_AT = {"year": slice(0, 4), "month": slice(5, 7), "day": slice(8, 10)}
for model, texts in outputs.items():
    right_at = {field: 100 * np.mean([t[at] == r[at] for t, r in zip(texts, references)])
                for field, at in FIELDS_AT.items()}
    print(f"{model:<10} field right: " + ", ".join(f"{field} {share:.1f}%"
                                                 for field, share in right_at.items()))
counts = [int(((lengths >= low) & (lengths <= high)).sum()) for low, high in BINS]
print(f"\n{'source length':<18}" + "".join(f"{f'{lo}-{hi}':>8}" for lo, hi in BINS))
print(f"{'test dates':<18}" + "".join(f"{c:8d}" for c in counts))
for model in models:
    print(f"{model + ' exact %':<18}" + "".join(f"{a:8.1f}" for a in exact[model]))
    print(f"{model + ' BLEU':<18}" + "".join(f"{b:8.1f}" for b in bleu[model]))
formats = data.test.formats[:TEST_SIZE]
print(f"\n{'format (the first test date)':<50} {'dates':>5}" + "".join(f"{m:>10}" for m in models))
for fmt in range(len(FORMATS)):
    chosen = np.flatnonzero(formats == fmt)
    shares = [100 * np.mean([outputs[m][i] == references[i] for i in chosen]) if len(chosen)
              else np.nan for m in models]
    print(f"{render(example, fmt):<50} {len(chosen):5d}" + "".join(f"{x:9.1f}%" for x in shares))

places = np.arange(len(BINS))
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for model, style in zip(models, ("o-", "s-")):
    axes[0].plot(places, exact[model], style, label=model)
    axes[1].plot(places, bleu[model], style, label=model)
axes[0].set(ylabel="exact match (%)", title="whole date right (exact match)")
axes[1].set(ylabel="character BLEU", title="BLEU (partial credit for characters)")
for ax in axes:
    ax.set(xlabel="source length in characters (test dates in the group)", ylim=(0, 103))
    ax.set_xticks(places, [f"{lo}-{hi}\n({c})" for (lo, hi), c in zip(BINS, counts)])
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower left")
plt.tight_layout()
plt.show()
for n in range(min(4, TEST_SIZE)):
    print(f"{data.test.sources[n]:<40} plain {outputs['plain'][n]:<11} "
          f"attention {outputs['attention'][n]:<11} (reference {references[n]})")
"""

BEAM_MD = r"""
### Greedy decoding against beam search

The same test dates decoded with beam search (k = 3). Beam search finds outputs of higher
probability under the model; whether that helps depends on what the model gets wrong.
"""

BEAM_CODE = r"""
BEAM_SIZE = lab_size(full=300, grading=2)
print(f"{'model':<10} {'decoding':<12} {'dates':>6} {'exact %':>8} {'BLEU':>6} "
      f"{'outputs unlike greedy':>22}")
for model, params in models.items():
    beams = []
    for n in range(BEAM_SIZE):
        src, src_mask, _ = data.test.batch([n])
        beams.append(tgt_vocab.decode(beam_search_decode(params, src[0], src_mask[0], model,
                                                         3, MAX_LENGTH)[0]))
    greedy = outputs[model][:BEAM_SIZE]
    for name, texts in (("greedy", greedy), ("beam, k = 3", beams)):
        right = np.mean([t == r for t, r in zip(texts, references)]) * 100
        score = sacrebleu.corpus_bleu(texts, [references[:BEAM_SIZE]], tokenize="char").score
        changed = f"{sum(b != g for b, g in zip(texts, greedy)):22d}" if texts is beams else ""
        print(f"{model:<10} {name:<12} {BEAM_SIZE:6d} {right:8.1f} {score:6.1f} {changed}")
"""

MAPS_MD = r"""
### Where does the attention look?

For three test dates in three formats, the weights of every output character of the
attention model over the source characters: a row per output character (top to bottom),
a column per source character, white for weight 1, black for 0, on the same scale in every
map. The row of a character shows the weights the decoder used to write it (computed from
the previous state, before the character).

The table after the maps measures one thing over many test dates: for every output digit,
is the source character with the largest weight the digit it copies? The year is split in
two and measured by position: is the peak on that very character of the source's year?
The **century** (19 or 20) is written in the source only in the four-digit formats, but it
is implied by the last two digits (the dates run from 1950 to 2049: 50-99 is 19yy, 00-49 is
20yy), so the decoder need not look at it; the last line counts the century digits whose
peak is on the year's last two digits instead. The month and the day are measured by
identity (the peak is on a source character equal to the output digit), the month only
where it is written in digits.
"""

MAPS_CODE = r"""
def attention_rows(params, n):
    # Greedy decoding of test date n, keeping the attention weights of every step.
    src, src_mask, _ = data.test.batch([n])
    state = encode(params, src, src_mask, bidirectional_rnn_forward)
    word, chars, rows = START, [], []
    for _ in range(MAX_LENGTH):
        scores, state, weights = decoder_step(params, state, np.array([word]), "attention",
                                              attention_decoder_step_forward)
        word = int(np.argmax(scores[0]))
        chars.append("<END>" if word == END else tgt_vocab.tokens[word])
        rows.append(weights[0])
        if word == END:
            break
    return chars, np.array(rows)


# "tuesday 3 march of the year 1998", "march 3, 1998" and "03/03/98"
shown = [next(n for n in range(len(data.test)) if data.test.formats[n] == fmt)
         for fmt in (14, 2, 8)]
shown = shown[:lab_size(full=3, grading=1)]
maps = [attention_rows(models["attention"], n) for n in shown]
widths = [len(data.test.sources[n]) for n in shown]
fig, axes = plt.subplots(1, len(shown), figsize=(0.26 * sum(widths) + 2.5, 4.2),
                         gridspec_kw={"width_ratios": widths})
for ax, n, (chars, rows) in zip(np.atleast_1d(axes), shown, maps):
    source = data.test.sources[n]
    ax.imshow(rows[:, :len(source)], cmap="gray", vmin=0, vmax=1, aspect="equal")
    ax.set_xticks(range(len(source)), ["␣" if c == " " else c for c in source], fontsize=8)
    ax.set_yticks(range(len(chars)), chars, fontsize=8)
    ax.set_xlabel("source character")
    ax.set_title(f"{source}\n-> {''.join(c for c in chars if c != '<END>')}", fontsize=9)
np.atleast_1d(axes)[0].set_ylabel("output character")
plt.tight_layout()
plt.show()

STATS_SIZE = lab_size(full=500, grading=2)
FIELDS = {"century": range(0, 2), "year's last two": range(2, 4), "month": range(5, 7),
          "day": range(8, 10)}
hits = {field: [] for field in FIELDS}
century_on_last_two = []  # century rows peaking on the year's last two digits
for n in range(STATS_SIZE):
    chars, rows = attention_rows(models["attention"], n)
    source, year = data.test.sources[n], str(data.test.dates[n].year)
    at = source.rfind(year)  # the four-digit year occurs once; -1 for dd/mm/yy
    year_at = ({k: at + k for k in range(4)} if at >= 0
               else {2: len(source) - 2, 3: len(source) - 1})  # yy ends the source
    last_two = {year_at[2], year_at[3]}
    for field, places in FIELDS.items():
        if field == "month" and not 8 <= data.test.formats[n] <= 11:
            continue  # the month is a name there: no digit to look at
        for k in places:
            if k >= len(chars):
                continue
            peak = int(np.argmax(rows[k]))
            if k < 2:
                century_on_last_two.append(peak in last_two)
            if k < 4:  # the year, by position: the peak on that very character
                if k in year_at:
                    hits[field].append(peak == year_at[k])
            elif chars[k].isdigit() and chars[k] in source:  # by identity: the same digit
                hits[field].append(source[peak] == chars[k])
print(f"{'output field':<17} {'digits':>7} {'peak on that digit':>19}")
for field, found in hits.items():
    share = 100 * np.mean(found) if found else float("nan")
    print(f"{field:<17} {len(found):7d} {share:18.0f}%")
print(f"century digits whose peak is on the year's last two digits: "
      f"{100 * np.mean(century_on_last_two):.0f}% of {len(century_on_last_two)}")
"""

Q_BOTTLENECK = r"""
### Question 1 (2 points): the bottleneck

Compare the two models' exact match as the sources get longer. What must the plain
model's decoder get from the 2H = 48 numbers of $s_0$, and why does that get harder as the
source grows? How does attention remove the problem?
"""

Q_MASK = r"""
### Question 2 (2 points): what the mask protects

Name every place where a mask is used, in your code and in the code it calls: the source
mask in the encoder forward and backward passes, in the attention, and in `encoder_summary`
(which reads each sequence's last real token), and the target mask in the loss. For each,
say what would go wrong without it: which outputs, losses or gradients would depend on the
padding? Why would the model then translate the same date differently depending on the
batch it is in?
"""

Q_HEATMAPS = r"""
### Question 3 (1 point): what the heat maps show

Describe the attention maps above: where does the decoder look when it writes the year, the
month and the day, and what does it do with characters such as the weekday or *the*, *of*?
"""

A_BOTTLENECK = r"""
(Numbers from the recorded run, greedy decoding of the 2000 test dates.) The attention model
writes every test date exactly at every length (100.0%, BLEU 100.0). The plain model is
about as good on short sources, 96 to 99% exact up to 20 characters, and then falls: 89% for
21-27 characters, 67% for 28-35, 60% for 36-43 and 50% for 44-53 (86.1% overall; BLEU only
falls from 99 to 88: a wrong output is mostly one field off, the day right for 88.2% of the
dates, the month 93.9%, the year 99.2%). Its decoder knows the source only through $s_0$, 48
numbers: the forward direction's state after the last character and the backward direction's
after the first. They must hold the year, the month and the day, and a vanilla RNN rewrites
its state at every character it reads. In *03/03/98* every field is a few characters from
one end; in *tuesday, the 3rd day of march in the year 1998* the day and the month are 10 to
30 characters from both ends, and must survive that many updates while the weekday and the
filler words are read over them (the three long formats, which start with a weekday, are the
worst: 50 to 65% exact). The vector has the same size whatever the length of the source, and
what it must carry gets further from its ends as the source grows: that is the bottleneck.
(At these lengths it shows as slow learning rather than a hard limit: trained three times
longer, 12000 steps, the plain model reaches 99.7% exact; with equal CPU it is far behind
on long sources.)
Attention removes it: at every output step the decoder reads a new weighted mean of all the
encoder states, and the state at the day's digits describes the day (both directions have
just read it), so nothing has to be carried across the source. It costs a softmax over the
source at every output step, about four plain steps each.
"""

A_MASK = r"""
Encoder forward pass: the outputs of both directions are multiplied by the mask (zero at
padding), and the backward direction's state is zeroed at every padded position, so it
starts from zero at each sequence's own last real token. Without it the backward states of
every real token would depend on the padding's inputs, whose number depends on the longest
source in the batch. Encoder backward pass: the upstream gradient at padded positions is
dropped and the backward direction's gradient is masked where its state was, so no
gradient flows into padding (otherwise the weights would be trained on the padding's
characters). Attention: padded scores are set to $-\infty$ before the softmax, so their
weights are exactly 0 and the real weights sum to 1; without it the context mixes in the
padding's states and the real weights shrink. `encoder_summary`: s0 takes the forward
state at each sequence's own last real token, L_n - 1 (from the mask), not at S - 1, where
the state would be zero (masked) or, unmasked, would have read the padding. Loss: the target
mask drops the predictions after `<END>`; without it the model is also trained to predict
`<NULL>` padding, and the loss of a date (and its gradient) depends on the longest target in
its batch. In every case the same date would be
encoded, attended and translated differently depending on how long the other sources in
its batch are: the mask makes a sequence's result independent of its batch.
"""

A_HEATMAPS = r"""
(Recorded run.) Each output digit looks at the digit it copies: the day digits at the day
(the brightest cell is the copied digit for 93% of the day digits of 500 test dates), the
month, where it is written in digits, at those digits (92%), and the last two digits of the
year at those very characters (100%). The century digits peak on the century written in the
source only 59% of the time (20% on the year's last two digits, the rest elsewhere): the
century is implied by the last two digits (the dates run from 1950 to 2049), and in
*dd/mm/yy* it is not in the source at all, so the decoder does not need to look at it. Where
the month is a name, the month rows look at a letter that tells it apart from the others:
the *v* of *november*, the *o* and *c* of *october*. The dashes and `<END>` spread their
weight; the weekday, *of the year* and the commas get almost none: the model has learnt to
skip them. The map is not a diagonal: the rows of the year point to the end of the source
and those of the day to its start, the non-monotonic alignment of the task.
"""


CELLS = [
    *opening(INTRO, CHECK_HELPERS),
    *section(DATA_MD, DATA_CODE),
    ("md", ENCODER_MD),
    *exercise("bidirectional_rnn_forward", BI_FW_VISIBLE),
    *exercise("bidirectional_rnn_backward", BI_BW_VISIBLE),
    ("md", ATTENTION_MD),
    *exercise("additive_attention_forward", ATT_FW_VISIBLE),
    *exercise("additive_attention_backward", ATT_BW_VISIBLE),
    ("md", STEP_MD),
    *exercise("attention_decoder_step_forward", STEP_FW_VISIBLE),
    *exercise("attention_decoder_step_backward", STEP_BW_VISIBLE),
    ("md", LOSS_MD),
    *exercise("seq2seq_loss", LOSS_VISIBLE),
    ("md", DECODE_MD),
    ("setup", "setup_2", "DECODER"),
    *exercise("greedy_decode", GREEDY_VISIBLE),
    *exercise("beam_search_decode", BEAM_VISIBLE),
    *section(LAB_MD, SETTINGS, LAB_TRAIN, LAB_CURVES),
    *section(EVAL_MD, EVAL_CODE),
    *section(BEAM_MD, BEAM_CODE),
    *section(MAPS_MD, MAPS_CODE),
    *question(Q_BOTTLENECK, "q_bottleneck", 2, A_BOTTLENECK),
    *question(Q_MASK, "q_mask", 2, A_MASK),
    *question(Q_HEATMAPS, "q_heat_maps", 1, A_HEATMAPS),
]
