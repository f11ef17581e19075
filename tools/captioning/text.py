"""Markdown, visible tests and lab cells of the captioning notebook, and CELLS, its outline.

tools/notebook_builder.py describes the outline and builds the notebook from it (see build.py).
"""

from notebook_builder import exercise, opening, question, section

INTRO = r"""
# Image captioning with spatial attention

The recurrent networks so far read a sequence. Here one goes the other way, **one-to-many**:
from a single image the network writes a sentence, one word at a time. You will build a
captioning model whose decoder is a vanilla RNN or an LSTM started from a summary of the
image, then give the LSTM **attention**: before each word it looks at the image again and
chooses where to look. Then you decode captions greedily and with **beam search**, train
three captioners (an RNN and an LSTM that only see the summary, and the attention LSTM),
measure them with BLEU and with an exact check of what the captions claim, and look at
where the attention goes for every word.

**The data** (`datasets/captions.py`, generated, nothing downloaded): 24 x 24 images of two
coloured shapes on a 3 x 3 grid, in one row or one column, each with two reference
captions that describe the scene in reading order, the upper (or left) object first:
*a red circle above a blue square* and *the red circle is above the blue square*.
Colours, shapes and positions are drawn independently, so a caption cannot be right
without looking at the image: which objects there are, which one comes first, and whether
they are one above the other or side by side.

**Release order.** You use your earlier work through generated modules: `rnn_layers.py`
(`rnn_forward`, `rnn_backward`, `rnn_step_forward`, `clip_grad_norm`), `lstm_layers.py`
(`lstm_forward`, `lstm_backward`, `lstm_step_forward`) and `char_lm_layers.py` (the word
embedding, the temporal affine layer and the masked temporal softmax loss).

**Grading.** Every function you write is in its own cell; the hidden tests check each output
and each gradient separately, on random shapes and edge shapes (a batch of one, one time
step, a 1 x 1 grid, H = 1), in float64 and float32, and check that your functions do not
modify their inputs. Run the visible test after each function: it shows the expected values
and a numeric gradient check (float64, threshold 1e-7). The labs are not graded and shrink
to a few steps under the autograder. The written questions are graded by hand.
"""

CHECK_HELPERS = r"""
# Helpers of the visible tests (not graded; they live in course_utils/checks.py). A check
# prints what it compared; when a value is off it stops the notebook with a message naming
# the function, the quantity and where to look. check_contracts runs first: your function
# must not write into its inputs (not even temporarily), must return new arrays, and must
# return float32 for float32 inputs. check_runs turns a crash inside your function into a
# one-line message (the traceback stays above it).
from course_utils.checks import (check_close, check_contracts, check_equal, check_gradients,
                                 check_runs)
"""

DATA_MD = r"""
## 0. The data and the image features

Each image is cut into its 3 x 3 grid of 8 x 8 pixel **patches**; a patch, flattened, is
a vector of 8·8·3 = 192 numbers (`patch_features`). The model turns every patch into an
H-dimensional feature with the same learned matrix `W_proj` (192, H) and adds a learned
vector `W_pos[k]` for the patch's position k = i·P + j:

$$A_{:,i,j} = W_{proj}^\top\, \mathrm{patch}_{i,j} + W_{pos}[iP + j] \in \mathbb{R}^H .$$

This is `project_patches` in the setup cell (with its backward pass); it is part of the
model and trained with it. `A` of shape (N, H, P, P) is all the decoder knows about the
image. Note that the *mean* of `A` over the P·P positions forgets where things are: the
patches are projected by the same matrix wherever they are, and the mean of the position
vectors is the same for every image. Keep this in mind for the models below.
"""

DATA_CODE = r"""
import time

import matplotlib.pyplot as plt
import sacrebleu
from tqdm.auto import tqdm

from course_utils.runtime import lab_size
from course_utils.training import Adam, count_params
from datasets.captions import (CELL, COLOURS, GRID, REFERENCES, SHAPES, caption_is_correct,
                               load_caption_data, parse_caption, patch_features, sample_batch)

COLOURS_LIST = list(COLOURS)

data = load_caption_data()
vocab = data.vocab
V = len(vocab)
print(f"{len(data.train)} training, {len(data.val)} validation, {len(data.test)} test images;"
      f" vocabulary of {V} words: {' '.join(vocab.words)}")
fig, axes = plt.subplots(1, 4, figsize=(14, 3.8))
for ax, n in zip(axes, range(4)):
    ax.imshow(data.train.images[n])
    ax.set_title("\n".join(data.train.references(n)), fontsize=7)
    ax.axis("off")
plt.show()
print("patch features:", patch_features(data.train.images[:2]).shape)
"""

ATTN_MD = r"""
## 1. Scaled dot-product attention

At every word, the decoder's hidden state $h \in \mathbb{R}^H$ asks the image a question:
which positions have a feature that matches me? The match of position (i, j) is a dot
product, scaled by $1/\sqrt{H}$ so that its size does not grow with H; a softmax over all
P·P positions turns the matches into weights, and the answer is the weighted mean of the
features:

$$s_{ij} = \frac{A_{:,ij}^\top h}{\sqrt{H}}, \qquad
\alpha_{ij} = \frac{e^{s_{ij}}}{\sum_{k,l} e^{s_{kl}}}, \qquad
\mathrm{attn} = \sum_{i,j} \alpha_{ij}\, A_{:,ij} .$$

Shift the scores by their maximum before `exp`, as in every softmax. In the backward pass
the features receive gradient along two paths: through the weighted sum
($\partial\,\mathrm{attn}/\partial A_{:,ij} = \alpha_{ij}$) and through the scores. The
softmax's backward is $\partial s_{ij} = \alpha_{ij}(\partial\alpha_{ij} - \sum_{kl}\alpha_{kl}
\partial\alpha_{kl})$, and $\partial\alpha$ collects both the upstream `dattn_weights` and
$A_{:,ij}^\top\,\partial\mathrm{attn}$. Use `math.sqrt(H)` (a Python float) for the scale,
so that float32 inputs give float32 outputs.
"""

ATTN_FW_VISIBLE = r"""
prev_h = np.linspace(-0.6, 0.9, num=2 * 3).reshape(2, 3)           # (N=2, H=3)
A = np.linspace(-1.0, 1.2, num=2 * 3 * 2 * 2).reshape(2, 3, 2, 2)  # (N, H, P=2, P)
check_contracts("dot_product_attention_forward", dot_product_attention_forward, prev_h, A,
                float_outputs=False, outputs=("attn", "attn_weights", "cache"))
attn32, attn_weights32, _ = dot_product_attention_forward(prev_h.astype(np.float32),
                                                          A.astype(np.float32))
assert attn32.dtype == attn_weights32.dtype == np.float32, (
    f"dot_product_attention_forward: float32 inputs give attn {attn32.dtype} and "
    f"attn_weights {attn_weights32.dtype}, expected float32: a NumPy float64 scalar (such as "
    "np.sqrt(H)) or buffer makes float32 arrays float64; scale by math.sqrt(H), a Python float")
attn, attn_weights, _ = dot_product_attention_forward(prev_h, A)
# EXPECTED
look_at = {
    "attn": "attn[n] = sum over (i, j) of attn_weights[n, i, j] * A[n, :, i, j], shape (N, H)",
    "attn_weights": ("softmax over the P*P positions (not over H, not over the batch) of "
                     "A[n, :, i, j] . prev_h[n] / sqrt(H), reshaped to (N, P, P) row by row")}
check_close("dot_product_attention_forward", "attn_weights", attn_weights,
            expected_attn_weights, look_at["attn_weights"])
check_close("dot_product_attention_forward", "attn", attn, expected_attn, look_at["attn"])
big, big_weights, _ = dot_product_attention_forward(1e3 * prev_h, A)
assert np.all(np.isfinite(big_weights)), (
    "dot_product_attention_forward: the weights overflow for large scores: subtract the "
    "maximum score of each image before np.exp")
"""

ATTN_BW_VISIBLE = r"""
rng = np.random.default_rng(52)
prev_h, A = rng.standard_normal((2, 4)), rng.standard_normal((2, 4, 3, 3))
dattn, dattn_weights = rng.standard_normal((2, 4)), rng.standard_normal((2, 3, 3))
_, _, cache = dot_product_attention_forward(prev_h, A)
check_contracts("dot_product_attention_backward", dot_product_attention_backward, dattn,
                dattn_weights, cache, outputs=("dprev_h", "dA"))
dprev_h, dA = dot_product_attention_backward(dattn, dattn_weights, cache)
# EXPECTED
look_at = {
    "dprev_h": ("prev_h reaches the loss through the scores only: dscores = softmax backward "
                "of (A^T dattn + dattn_weights), divided by sqrt(H), then A @ dscores"),
    "dA": ("A gets two terms: dattn * weight of each position (the weighted sum) plus "
           "prev_h * dscores (the scores)")}
check_close("dot_product_attention_backward", "dprev_h", dprev_h, expected_dprev_h,
            look_at["dprev_h"])
check_close("dot_product_attention_backward", "dA", dA, expected_dA, look_at["dA"])


def attention_objective(prev_h, A):  # the scalar whose gradient the backward pass computes
    attn, weights, _ = dot_product_attention_forward(prev_h, A)
    return np.sum(attn * dattn) + np.sum(weights * dattn_weights)


num_dprev_h = eval_numerical_gradient(lambda _: attention_objective(prev_h, A), prev_h)
num_dA = eval_numerical_gradient(lambda _: attention_objective(prev_h, A), A)
check_gradients("dot_product_attention_backward",
                {"dprev_h": (num_dprev_h, dprev_h), "dA": (num_dA, dA)}, look_at,
                threshold=1e-7)
"""

STEP_MD = r"""
## 2. The attention LSTM

The decoder is the LSTM of the previous assignment with one more input: the attention
vector of the step enters every gate through its own weights $W_{attn}$ (H, 4H),

$$a = x_t W_x + h_{t-1} W_h + \mathrm{attn}_t W_{attn} + b, \qquad
i, f, o = \sigma(a_i), \sigma(a_f), \sigma(a_o), \quad g = \tanh(a_g),$$
$$c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t),$$

with the four blocks of H in the order i, f, o, g. The step takes `attn` as an input; the
attention itself is computed by the sequence function below. The backward pass is the
LSTM's, plus $\partial \mathrm{attn} = \partial a\, W_{attn}^\top$ and
$\partial W_{attn} = \mathrm{attn}^\top \partial a$.
"""

STEP_FW_VISIBLE = r"""
N, D, H = 2, 3, 4
x = np.linspace(-0.4, 1.2, num=N * D).reshape(N, D)
prev_h = np.linspace(-0.3, 0.7, num=N * H).reshape(N, H)
prev_c = np.linspace(-0.4, 0.9, num=N * H).reshape(N, H)
attn = np.linspace(0.5, -0.5, num=N * H).reshape(N, H)
Wx = np.linspace(-2.1, 1.3, num=D * 4 * H).reshape(D, 4 * H)
Wh = np.linspace(-0.7, 2.2, num=H * 4 * H).reshape(H, 4 * H)
Wattn = np.linspace(0.9, -1.1, num=H * 4 * H).reshape(H, 4 * H)
b = np.linspace(0.3, 0.7, num=4 * H)
check_contracts("attention_lstm_step_forward", attention_lstm_step_forward, x, prev_h, prev_c,
                attn, Wx, Wh, Wattn, b, outputs=("next_h", "next_c", "cache"))
next_h, next_c, _ = attention_lstm_step_forward(x, prev_h, prev_c, attn, Wx, Wh, Wattn, b)
# EXPECTED
look_at = ("a = x @ Wx + prev_h @ Wh + attn @ Wattn + b, blocks in the order i, f, o, g; "
           "sigmoid for i, f, o and tanh for g; next_c = f * prev_c + i * g, "
           "next_h = o * tanh(next_c)")
check_close("attention_lstm_step_forward", "next_c", next_c, expected_next_c, look_at)
check_close("attention_lstm_step_forward", "next_h", next_h, expected_next_h, look_at)
"""

STEP_BW_VISIBLE = r"""
rng = np.random.default_rng(115)  # a case whose numeric gradients are accurate to 1e-9
N, D, H = 3, 4, 5
x, prev_h, prev_c = (rng.standard_normal((N, D)), rng.standard_normal((N, H)),
                     rng.standard_normal((N, H)))
attn = rng.standard_normal((N, H))
Wx, Wh, Wattn = (0.5 * rng.standard_normal((D, 4 * H)), 0.5 * rng.standard_normal((H, 4 * H)),
                 0.5 * rng.standard_normal((H, 4 * H)))
b = rng.standard_normal(4 * H)
dnext_h, dnext_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
_, _, cache = attention_lstm_step_forward(x, prev_h, prev_c, attn, Wx, Wh, Wattn, b)
names = ("dx", "dprev_h", "dprev_c", "dattn", "dWx", "dWh", "dWattn", "db")
check_contracts("attention_lstm_step_backward", attention_lstm_step_backward, dnext_h, dnext_c,
                cache, outputs=names)
grads = attention_lstm_step_backward(dnext_h, dnext_c, cache)
dx, dprev_h, dprev_c, dattn, dWx, dWh, dWattn, db = grads
# EXPECTED
look_at = dict.fromkeys(names, "the LSTM step's backward (gates i, f, o, g), with attn "
                        "entering like a second input: dattn = da @ Wattn.T, "
                        "dWattn = attn.T @ da")
look_at["dprev_c"] = "dprev_c = (dnext_c + dnext_h * o * (1 - tanh(next_c)**2)) * f"
expected = dict(zip(names, (expected_dx, expected_dprev_h, expected_dprev_c, expected_dattn,
                            expected_dWx, expected_dWh, expected_dWattn, expected_db)))
for name, got in zip(names, grads):
    check_close("attention_lstm_step_backward", name, got, expected[name], look_at[name])

inputs = dict(zip(names, (x, prev_h, prev_c, attn, Wx, Wh, Wattn, b)))


def step_objective():
    next_h, next_c, _ = attention_lstm_step_forward(x, prev_h, prev_c, attn, Wx, Wh, Wattn, b)
    return np.sum(next_h * dnext_h) + np.sum(next_c * dnext_c)


check_gradients("attention_lstm_step_backward",
                {name: (eval_numerical_gradient(lambda _: step_objective(), inputs[name]), got)
                 for name, got in zip(names, grads)}, look_at, threshold=1e-7)
"""

SEQ_MD = r"""
### The attention LSTM over a sequence

Over a caption of T words, the LSTM starts from the image: $h_0 = c_0 = \bar A$, the mean
of the features over the P·P positions. At step t it first attends with the *previous*
hidden state, $\mathrm{attn}_t, \alpha_t = \mathrm{attention}(h_{t-1}, A)$, then takes a step
with $x_t$ and $\mathrm{attn}_t$.

In the backward pass, walk the steps in reverse. $h_{t-1}$ was used twice at step t (in
the gates and as the attention's query), so its gradient is the sum of both; $A$ was used at
every step and in $h_0$ and $c_0$, so its gradient is the sum of every step's attention
gradient plus $(\partial h_0 + \partial c_0)/(P\cdot P)$ spread over every position.
"""

SEQ_FW_VISIBLE = r"""
rng = np.random.default_rng(2)
N, T, D, H, P = 2, 3, 3, 4, 2
x = rng.standard_normal((N, T, D))
A = rng.standard_normal((N, H, P, P))
Wx, Wh, Wattn = (0.4 * rng.standard_normal((D, 4 * H)), 0.4 * rng.standard_normal((H, 4 * H)),
                 0.4 * rng.standard_normal((H, 4 * H)))
b = 0.1 * rng.standard_normal(4 * H)
check_contracts("attention_lstm_forward", attention_lstm_forward, x, A, Wx, Wh, Wattn, b,
                outputs=("h", "cache"))
h, _ = attention_lstm_forward(x, A, Wx, Wh, Wattn, b)
# EXPECTED
check_close("attention_lstm_forward", "h", h, expected_h,
            "h0 = c0 = A.mean(axis=(2, 3)); at step t attend with the previous h (not the "
            "new one), then one attention_lstm_step_forward with x[:, t]; h is (N, T, H)")
"""

SEQ_BW_VISIBLE = r"""
rng = np.random.default_rng(37)
N, T, D, H, P = 2, 3, 3, 4, 2
x = rng.standard_normal((N, T, D))
A = rng.standard_normal((N, H, P, P))
Wx, Wh, Wattn = (0.4 * rng.standard_normal((D, 4 * H)), 0.4 * rng.standard_normal((H, 4 * H)),
                 0.4 * rng.standard_normal((H, 4 * H)))
b = 0.1 * rng.standard_normal(4 * H)
dh = rng.standard_normal((N, T, H))
_, cache = attention_lstm_forward(x, A, Wx, Wh, Wattn, b)
names = ("dx", "dA", "dWx", "dWh", "dWattn", "db")
check_contracts("attention_lstm_backward", attention_lstm_backward, dh, cache, outputs=names)
grads = attention_lstm_backward(dh, cache)
dx, dA, dWx, dWh, dWattn, db = grads
# EXPECTED
QUERY = ("prev_h is used twice at every step (in the gates and as the attention's query): add "
         "the dprev_h of dot_product_attention_backward to the step's dprev_h")
look_at = dict.fromkeys(names, "walk the steps in reverse, adding dh[:, t] to the gradient "
                        "coming from step t + 1, and sum the weight gradients over steps; "
                        + QUERY)
look_at["dA"] = ("dA sums every step's attention gradient plus (dh0 + dc0) / (P*P) at every "
                 "position (h0 = c0 = mean of A); " + QUERY)
expected = dict(zip(names, (expected_dx, expected_dA, expected_dWx, expected_dWh,
                            expected_dWattn, expected_db)))
for name, got in zip(names, grads):
    check_close("attention_lstm_backward", name, got, expected[name], look_at[name])
inputs = dict(zip(names, (x, A, Wx, Wh, Wattn, b)))


def sequence_objective():
    return np.sum(attention_lstm_forward(x, A, Wx, Wh, Wattn, b)[0] * dh)


check_gradients("attention_lstm_backward",
                {name: (eval_numerical_gradient(lambda _: sequence_objective(), inputs[name]),
                        got) for name, got in zip(names, grads)}, look_at, threshold=1e-7)
"""

LOSS_MD = r"""
## 3. The captioning model and its loss

During training the decoder reads the reference caption shifted by one (**teacher
forcing**): it is fed `<START> a red circle ...` and must predict `a red circle ... <END>`.
The padding `<NULL>` after `<END>` is masked out of the loss. Three decoders share the
same image encoder (`project_patches`), embedding, output layer and loss:

- `"rnn"`: a vanilla RNN with $h_0 = \bar A$, the spatial mean of the features;
- `"lstm"`: an LSTM with $h_0 = \bar A$ and $c_0 = 0$;
- `"attention"`: your attention LSTM ($h_0 = c_0 = \bar A$, attention at every word).

All the layers exist; `captioning_loss` wires them together and runs the backward pass back
to `W_proj` and `W_pos`. For the two plain decoders the image enters only through
$h_0 = \bar A$: its gradient reaches every position of A divided by P·P.
"""

LOSS_VISIBLE = r"""
rng = np.random.default_rng(16)
N, P, Dp, H, D, V_toy = 2, 2, 5, 3, 4, 7
toy_patches = rng.standard_normal((N, P, P, Dp))
toy_captions = np.array([[START, 4, 5, 6, END, NULL], [START, 3, END, NULL, NULL, NULL]])
decoders = {  # what each cell runs, for the message if your function crashes on it
    "rnn": "rnn_forward and rnn_backward (Wx is (D, H)), h0 = A.mean(axis=(2, 3))",
    "lstm": ("lstm_forward and lstm_backward (Wx is (D, 4H): the rnn layers do not fit it), "
             "h0 = A.mean(axis=(2, 3)) and c0 = 0"),
    "attention": "attention_lstm_forward and attention_lstm_backward on A (Wx is (D, 4H))"}
losses, all_grads, toy_models = {}, {}, {}
for cell in ("rnn", "lstm", "attention"):
    toy_models[cell] = init_captioner(cell, V_toy, Dp, P, H, D, np.random.default_rng(17),
                                      scale=0.5)
    toy_models[cell]["b"] = 0.3 * np.random.default_rng(18).standard_normal(
        toy_models[cell]["b"].shape)
# params, patches and captions are not written into; the gradients are new arrays
check_contracts("captioning_loss", captioning_loss, toy_models["rnn"], toy_patches,
                toy_captions, "rnn", float_outputs=False, outputs=["loss", "grads"])
for cell in ("rnn", "lstm", "attention"):
    losses[cell], all_grads[cell] = check_runs(
        "captioning_loss", f'cell="{cell}"', decoders[cell], captioning_loss, toy_models[cell],
        toy_patches, toy_captions, cell)
loss_rnn, loss_lstm, loss_attention = losses["rnn"], losses["lstm"], losses["attention"]
dW_proj_attention = all_grads["attention"]["W_proj"]
dW_pos_rnn = all_grads["rnn"]["W_pos"]
# EXPECTED
look_at = ("feed captions[:, :-1], predict captions[:, 1:], mask = captions[:, 1:] != NULL; "
           "h0 = A.mean(axis=(2, 3)) for rnn and lstm (c0 = 0), attention_lstm_forward for "
           "attention")
for cell, expected in (("rnn", expected_loss_rnn), ("lstm", expected_loss_lstm),
                       ("attention", expected_loss_attention)):
    check_close("captioning_loss", f"the {cell} loss", losses[cell], expected, look_at)
    assert set(all_grads[cell]) == set(toy_models[cell]), (
        f"captioning_loss: grads has keys {sorted(all_grads[cell])}, expected one per "
        f"parameter: {sorted(toy_models[cell])}")
check_close("captioning_loss", "dW_proj of the attention model", dW_proj_attention,
            expected_dW_proj_attention,
            "dA from attention_lstm_backward goes to project_patches_backward")
check_close("captioning_loss", "dW_pos of the rnn model", dW_pos_rnn, expected_dW_pos_rnn,
            "dA = dh0 / (P*P) at every position (h0 is the mean of A over the P*P positions)")


def numeric_gradient(f, x, h=1e-3):
    # Central differences with steps h and 2h, combined so that their h**2 errors cancel
    # (Richardson extrapolation): accurate to about 1e-12 here, where a single step of 1e-5
    # loses about 5e-11 to the rounding of a loss of about 6 (1e-16 * 6 / 1e-5), too much
    # for the smallest entries of these gradients.
    return (4 * eval_numerical_gradient(f, x, h=h) - eval_numerical_gradient(f, x, h=2 * h)) / 3


for cell in ("rnn", "lstm", "attention"):
    params = toy_models[cell]
    numeric = {name: numeric_gradient(
        lambda _: captioning_loss(params, toy_patches, toy_captions, cell)[0], value)
        for name, value in params.items()}
    check_gradients(f"captioning_loss ({cell})",
                    {name: (numeric[name], all_grads[cell][name]) for name in params},
                    dict.fromkeys(params, look_at), threshold=1e-7)
"""

DECODE_MD = r"""
## 4. Writing captions: greedy decoding and beam search

At test time there is no reference to feed: the decoder is fed its own previous word. The
two helpers below (locked; not graded) run the decoder one word at a time for any of the
three cells: `decoder_start` computes A and the initial state, `decoder_step` feeds one
word per image and returns the scores of the next word. They use your attention functions
for the `"attention"` cell.

**Greedy decoding** takes the most likely word at every step. It is fast, but a word chosen
early can never be taken back, even when it leads to an unlikely sentence.

**Beam search** keeps the k best partial captions (the *beam*) instead of one. At every
step each is extended by every word, and the k extensions with the largest total
log-probability survive. A caption that ends with `<END>` is finished and set aside.
Longer captions have more (negative) log-probability terms, so finished captions of
different lengths are compared by their **length-normalised** score, the mean
log-probability per word. With k = 1 beam search is greedy decoding.
"""

GREEDY_VISIBLE = r"""
toy = init_captioner("attention", 6, 5, 2, 4, 3, np.random.default_rng(62), scale=1.5)
toy["b_out"][[NULL, START]] -= 3.0  # a toy model that rarely writes <NULL> or <START>
toy_patches = np.random.default_rng(8).standard_normal((3, 2, 2, 5))
toy_rnn = init_captioner("rnn", 6, 5, 2, 4, 3, np.random.default_rng(9), scale=1.5)
toy_rnn["b_out"][[NULL, START]] -= 3.0
check_contracts("sample_greedy", sample_greedy, toy, toy_patches, "attention", 6,
                float_outputs=False)  # word ids, whatever the parameters' dtype
greedy = sample_greedy(toy, toy_patches, "attention", 6)
greedy_rnn = sample_greedy(toy_rnn, toy_patches, "rnn", 5)
# EXPECTED
# In this case the rows produce <END> at different steps, and one row never does.
look_at = ("feed <START> first, then each step's np.argmax(scores, axis=1); keep <END> and "
           "write <NULL> after it; the output is (N, max_length) without <START>")
assert np.shape(greedy) == (3, 6), f"sample_greedy: got shape {np.shape(greedy)}: " + look_at
rows = np.asarray(greedy).tolist()
for n, row in enumerate(rows):
    assert END not in row or set(row[row.index(END) + 1:]) <= {NULL}, (
        f"sample_greedy: row {n} = {row} goes on after its <END>: once a row has produced "
        "<END>, every later entry of that row is <NULL>")
assert rows != np.where(expected_greedy == END, NULL, expected_greedy).tolist(), (
    "sample_greedy: every <END> is missing (written as <NULL>): a row keeps the <END> it "
    "produces, and only the entries after it are <NULL>")
first_end = min(row.index(END) for row in expected_greedy.tolist() if END in row)
for n, row in enumerate(rows):  # right up to the first <END> of any row, then only <NULL>
    right_row = expected_greedy[n].tolist()
    if (row[:first_end + 1] == right_row[:first_end + 1] and set(row[first_end + 1:]) <= {NULL}
            and set(right_row[first_end + 1:]) != {NULL}):
        raise AssertionError(
            f"sample_greedy: row {n} = {row} stops after {first_end + 1} words, when another "
            "row produced <END>: decode every row until its own <END> (or max_length)")
check_equal("sample_greedy", "the attention model's caption array", rows,
            expected_greedy.tolist(), look_at)
check_equal("sample_greedy", "the rnn model's caption array", np.asarray(greedy_rnn).tolist(),
            expected_greedy_rnn.tolist(), look_at)
"""

BEAM_VISIBLE = r"""
toy = init_captioner("lstm", 5, 5, 2, 4, 3, np.random.default_rng(12), scale=1.5)
toy["b_out"][[NULL, START]] -= 3.0  # a toy model that rarely writes <NULL> or <START>
one_image = np.random.default_rng(11).standard_normal((2, 2, 5))
look_at = ("keep the k extensions with the largest SUM of log-probabilities, over the "
           "extensions of ALL live hypotheses together, k at every step however many have "
           "finished; set finished ones aside (never extended again), and return the best "
           "of finished and live hypotheses by the MEAN log-probability per word (<END> "
           "counted)")
check_contracts("beam_search", beam_search, toy, one_image, "lstm", 3, 6,
                float_outputs=False, outputs=["caption", "score"])
beam_1, score_1 = check_runs("beam_search", "beam width 1", look_at, beam_search, toy,
                             one_image, "lstm", 1, 6)
beam_3, score_3 = check_runs("beam_search", "beam width 3", look_at, beam_search, toy,
                             one_image, "lstm", 3, 6)
greedy_1 = sample_greedy(toy, one_image[None], "lstm", 6)[0].tolist()
greedy_1 = greedy_1[:greedy_1.index(END) + 1] if END in greedy_1 else greedy_1
# EXPECTED
# In this case greedy decoding's first word is not the best caption's, hypotheses finish
# at different steps, and the best caption is found only if k hypotheses stay live after
# the first one has finished.
caption_1, caption_3 = np.asarray(beam_1).tolist(), np.asarray(beam_3).tolist()
for width, caption in ((1, caption_1), (3, caption_3)):
    assert END not in caption[:-1], (
        f"beam_search: with beam width {width} the caption {caption} goes on after <END>: a "
        "hypothesis that ends with <END> is finished: set it aside, never extend it again")
check_equal("beam_search", "the caption with beam width 1", caption_1, greedy_1,
            "with k = 1 beam search is greedy decoding (sample_greedy, up to its <END>)")
assert END in caption_3 or END not in expected_beam_3, (
    f"beam_search: the caption {caption_3} never finished, but a finished hypothesis scores "
    "better: compare the finished hypotheses together with those still live at the end")
check_equal("beam_search", "the caption with beam width 3", caption_3,
            expected_beam_3.tolist(), look_at)
check_close("beam_search", "the score with beam width 3", score_3, expected_score_3, look_at)
check_close("beam_search", "the score with beam width 1", score_1, expected_score_1, look_at)
"""

LAB_MD = r"""
## 5. Training the three captioners

The loop below trains a model with teacher forcing, global-norm gradient clipping (your
`clip_grad_norm`) and Adam, on minibatches of images each with one of its two reference
captions drawn at random; the learning rate decays geometrically to a tenth of its start
over the run. It runs three times, on minibatches drawn from the same training images: a
vanilla RNN and an LSTM, both started from the mean feature $\bar A$ and never shown
anything else of the image, and the attention LSTM. The LSTM and the attention LSTM have
the same settings (steps, learning rate, batches) and the same cell: what separates them
is attention alone.
"""

SETTINGS = r"""
RNN_STEPS, RNN_LR = 3000, 8e-3
# The mean-feature LSTM is trained exactly like the attention LSTM: the two differ only by
# attention.
LSTM_STEPS, LSTM_LR = 4000, 1e-2
ATTENTION_STEPS, ATTENTION_LR = 4000, 1e-2
"""

LAB_TRAIN = r"""
HIDDEN, EMBED, BATCH, MAX_NORM = 48, 16, 50, 5.0
MAX_LENGTH = 12  # the longest caption has 11 words, plus <END>
P, Dp = GRID, 8 * 8 * 3  # the 3 x 3 grid of 8 x 8 pixel patches


def train_captioner(cell, steps, learning_rate, seed=0):
    # The learning rate decays geometrically to a tenth of its start over the run.
    rng = np.random.default_rng(seed)
    params = init_captioner(cell, V, Dp, P, HIDDEN, EMBED, rng)
    optimizer, losses = Adam(lr=learning_rate), []
    started = time.process_time()
    for step in tqdm(range(steps), desc=f"training {cell}"):
        optimizer.lr = learning_rate * 0.1 ** (step / steps)
        patches, captions = sample_batch(data.train, BATCH, rng)
        loss, grads = captioning_loss(params, patches, captions, cell)
        grads, _ = clip_grad_norm(grads, MAX_NORM)
        optimizer.step(params, grads)
        losses.append(loss)
    print(f"{cell}: {count_params(params):,} parameters, {steps} steps in "
          f"{time.process_time() - started:.0f} s of CPU, final loss {np.mean(losses[-50:]):.2f}")
    return params, losses


models, curves = {}, {}
for cell, (steps, learning_rate) in {"rnn": (RNN_STEPS, RNN_LR), "lstm": (LSTM_STEPS, LSTM_LR),
                                     "attention": (ATTENTION_STEPS, ATTENTION_LR)}.items():
    models[cell], curves[cell] = train_captioner(cell, lab_size(full=steps, grading=2),
                                                 learning_rate)
"""

LAB_CURVES = r"""
from course_utils.curves import moving_average

fig, ax = plt.subplots(figsize=(7, 3.5))
for cell, losses in curves.items():
    ax.plot(moving_average(losses, min(50, len(losses))), label=cell)
ax.axhline(np.log(2), color="gray", ls=":", label="log 2: two equally likely references")
ax.set(xlabel="step", ylabel="loss per caption (nats)", title="training loss (moving average)",
       ylim=(0, 10))
ax.legend()
plt.show()
"""

EVAL_MD = r"""
### Evaluation: BLEU and exact correctness

**BLEU** (computed by `sacrebleu`, against both references of each image) counts the
n-grams of a generated caption that occur in a reference. It rewards fluent captions in
the grammar, but *a red circle above a blue square* and *a red circle to the left of a
blue square* share most of their n-grams: BLEU barely sees a wrong relation, nor two
objects named in the wrong order (the same words). So we also check each
caption exactly (`caption_is_correct`): both objects named with the right colour and shape,
and the relation that holds between them. The three models: the vanilla RNN and the LSTM,
both started from the mean feature, and the attention LSTM; beam search with k = 3 runs on
the first 200 test images, and greedy decoding is shown on the same 200 and on all 500.
"""

EVAL_CODE = r"""
TEST_IMAGES = lab_size(full=500, grading=4)
BEAM_IMAGES = lab_size(full=200, grading=2)
test_patches = patch_features(data.test.images[:TEST_IMAGES])


def names_right(text, objects):
    # Both objects named with their colour and shape, whatever the relation says.
    parsed = parse_caption(text)
    named = {(COLOURS_LIST[o[0]], SHAPES[o[1]]) for o in objects}
    return parsed is not None and {parsed[0], parsed[2]} == named


def evaluate(captions, first):
    texts = [vocab.decode(c) for c in captions]
    references = [[data.test.references(n)[k] for n in range(first)]
                  for k in range(REFERENCES)]
    bleu = sacrebleu.corpus_bleu(texts, references).score
    objects = np.mean([names_right(t, data.test.objects[n]) for n, t in enumerate(texts)])
    correct = np.mean([caption_is_correct(t, data.test.objects[n]) for n, t in enumerate(texts)])
    return bleu, 100 * objects, 100 * correct, texts


results, decoded = {}, {}  # decoded: the word ids of the captions of the first BEAM_IMAGES
for cell, params in models.items():
    greedy_captions = sample_greedy(params, test_patches, cell, MAX_LENGTH)
    results[cell, "greedy, all"] = evaluate(greedy_captions, TEST_IMAGES)
    decoded[cell, "greedy"] = list(greedy_captions[:BEAM_IMAGES])
    decoded[cell, "beam 3"] = [beam_search(params, test_patches[n], cell, 3, MAX_LENGTH)[0]
                               for n in range(BEAM_IMAGES)]
    for decoding in ("greedy", "beam 3"):
        results[cell, decoding] = evaluate(decoded[cell, decoding], BEAM_IMAGES)
print(f"{'model':<10} {'decoding':<12} {'images':>6} {'BLEU':>6} {'objects %':>10} "
      f"{'correct %':>10}")
for (cell, decoding), (bleu, objects, correct, texts) in results.items():
    print(f"{cell:<10} {decoding:<12} {len(texts):6d} {bleu:6.1f} {objects:10.1f} "
          f"{correct:10.1f}")
for n in range(min(3, BEAM_IMAGES)):
    print(f"\nimage {n}: {data.test.references(n)[0]}")
    for cell in models:
        print(f"  {cell:<10} greedy: {results[cell, 'greedy'][3][n]}")
"""

BEAM_MD = r"""
### What does beam search change?

The grammar has four templates, and the number of words tells them apart: 7 words for
*a red circle above a blue square*, 8 for *the red circle is above the blue square*, 10
for *a red circle to the left of a blue square* and 11 for *the red circle is to the left
of the blue square* (*below* and *to the right of* have the lengths of *above* and *to the
left of*). On the images of the beam rows above, the cell below prints:

1. how many captions have each length, greedy and beam;
2. how each image's two captions compare: the same caption, the same claim in other words
   (the same two objects in the same order and the same relation, in another template), or
   a different claim; and whether the change made the caption right or wrong;
3. the log-probability the model gives the whole caption (the sum over its words, `<END>`
   included), the one beam search ranks by (that sum divided by the number of words), and
   BLEU's brevity penalty (1 when the captions are together at least as long as the
   references closest in length, below 1 when they are shorter);
4. a few images where the RNN's two captions differ.
"""

BEAM_CODE = r"""
from collections import Counter


def caption_log_probability(params, patches, ids, cell):
    # Sum of log p over the words of one caption (ids without <START>, up to its <END>).
    state, previous, total = decoder_start(params, patches[None], cell), START, 0.0
    for word in ids:
        scores, state, _ = decoder_step(params, state, np.array([previous]), cell)
        shifted = scores[0] - scores[0].max()
        total += shifted[word] - np.log(np.exp(shifted).sum())
        previous = word
        if word == END:
            break
    return total


def words_of(ids):
    return len(vocab.decode(ids).split()) + 1  # with <END>


LENGTHS = {7: "a .. above a ..", 8: "the .. is above the ..", 10: "a .. left of a ..",
           11: "the .. is left of the .."}
print(f"1. words per caption (without <END>), first {BEAM_IMAGES} test images")
print(f"{'model':<10} {'decoding':<8}" + "".join(f"{k:>5} words" for k in LENGTHS)
      + f"{'other':>8}")
for cell in models:
    for decoding in ("greedy", "beam 3"):
        counts = Counter(len(text.split()) for text in results[cell, decoding][3])
        other = sum(v for k, v in counts.items() if k not in LENGTHS)
        print(f"{cell:<10} {decoding:<8}" + "".join(f"{counts[k]:11d}" for k in LENGTHS)
              + f"{other:8d}")

print(f"\n2. {'model':<9} {'same caption':>13} {'same claim':>11} {'other claim':>12} "
      f"{'wrong -> right':>15} {'right -> wrong':>15}")
for cell in models:
    greedy_texts, beam_texts = results[cell, "greedy"][3], results[cell, "beam 3"][3]
    same = claim = other = fixed = broken = 0
    for n, (g, b) in enumerate(zip(greedy_texts, beam_texts)):
        same += g == b
        claim += g != b and parse_caption(g) == parse_caption(b)
        other += parse_caption(g) != parse_caption(b)
        right_g, right_b = (caption_is_correct(t, data.test.objects[n]) for t in (g, b))
        fixed += right_b and not right_g
        broken += right_g and not right_b
    print(f"   {cell:<9} {same:13d} {claim:11d} {other:12d} {fixed:15d} {broken:15d}")

log_p = {key: np.array([caption_log_probability(models[key[0]], test_patches[n], ids, key[0])
                        for n, ids in enumerate(captions)])
         for key, captions in decoded.items()}
per_word = {key: log_p[key] / [words_of(ids) for ids in captions]
            for key, captions in decoded.items()}
references = [[data.test.references(n)[k] for n in range(BEAM_IMAGES)] for k in range(REFERENCES)]
print(f"\n3. {'model':<9} {'decoding':<8} {'mean sum of log p':>18} {'mean log p per word':>20} "
      f"{'BLEU brevity penalty':>21}")
for (cell, decoding), captions in decoded.items():
    penalty = sacrebleu.corpus_bleu(results[cell, decoding][3], references).bp
    print(f"   {cell:<9} {decoding:<8} {log_p[cell, decoding].mean():18.2f} "
          f"{per_word[cell, decoding].mean():20.3f} {penalty:21.3f}")
for cell in models:
    less = np.sum(log_p[cell, "beam 3"] < log_p[cell, "greedy"] - 1e-9)
    more = np.sum(log_p[cell, "beam 3"] > log_p[cell, "greedy"] + 1e-9)
    print(f"   {cell}: the beam's caption is less probable than greedy's in {less} images, "
          f"more probable in {more}")

print("\n4. the RNN's greedy and beam captions of a few images")
shown = [n for n in range(BEAM_IMAGES)
         if results["rnn", "greedy"][3][n] != results["rnn", "beam 3"][3][n]][:5]
for n in shown:
    print(f"image {n}: {data.test.references(n)[1]}")
    for decoding in ("greedy", "beam 3"):
        text = results["rnn", decoding][3][n]
        mark = "right" if caption_is_correct(text, data.test.objects[n]) else "wrong"
        print(f"  {decoding:<7} {mark}, sum of log p {log_p['rnn', decoding][n]:6.2f}, per "
              f"word {per_word['rnn', decoding][n]:6.3f}: {text}")
"""

MAPS_MD = r"""
### Where does the attention look?

The figures below take three test images (one with the objects side by side, two with one
above the other) and show, for every word of the attention model's greedy caption, the
attention weights over the 3 x 3 grid: the colour of a cell is its weight, on one scale
for every map (the colour bar; the scale is stretched at the bottom, so that a cell with
0.02 and one with 0.10 look different), the number in a cell is its weight,
and the two objects are outlined in white. The map shown with a word is the one the
decoder used to choose that word: computed from the previous hidden state, before the
word.
"""

MAPS_CODE = r"""
from matplotlib.colors import PowerNorm


def attention_maps(params, patches, max_length=MAX_LENGTH):
    # Greedy decoding of one image, keeping the attention weights of every step.
    state = decoder_start(params, patches[None], "attention")
    word, words, maps = START, [], []
    for _ in range(max_length):
        scores, state, weights = decoder_step(params, state, np.array([word]), "attention")
        word = int(np.argmax(scores[0]))
        words.append(vocab.words[word])
        maps.append(weights[0])
        if word == END:
            break
    return words, maps


def show_attention(n, columns=7):
    words, maps = attention_maps(models["attention"], test_patches[n])
    image = data.test.images[n]
    objects = image.max(axis=2) > 80  # the objects' pixels (the background is black)
    rows = -(-(len(words) + 1) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.3 * columns + 1, 2.5 * rows),
                             squeeze=False, layout="constrained")
    axes = axes.ravel()
    axes[0].imshow(image)
    axes[0].set_title(f"test image {n}", fontsize=11)
    extent = (-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5)
    for ax, word, weights in zip(axes[1:], words, maps):
        picture = ax.imshow(weights, cmap="viridis", norm=PowerNorm(0.5, vmin=0, vmax=1),
                            extent=extent)
        ax.contour(objects, levels=[0.5], colors="white", linewidths=1)
        for (i, j), weight in np.ndenumerate(weights):
            ax.text((j + 0.5) * CELL - 0.5, (i + 0.5) * CELL - 0.5, f"{weight:.2f}",
                    fontsize=8, ha="center", va="center", color="white",
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="black", alpha=0.45,
                              linewidth=0))
        ax.set_title(word, fontsize=12)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(words) + 1:]:
        ax.axis("off")
    fig.colorbar(picture, ax=axes.tolist(), shrink=0.7, aspect=25, label="attention weight")
    plt.show()


same_column = data.test.objects[:, 0, 3] == data.test.objects[:, 1, 3]
SHOWN = [int(np.flatnonzero(~same_column)[0]), *np.flatnonzero(same_column)[:2].tolist()]
for n in SHOWN[:lab_size(full=3, grading=1)]:
    show_attention(n)
"""

MAPS_STATS_MD = r"""
The same question over many test images: for every object a greedy caption names (a colour
word followed by its shape word), is the brightest cell of the map on that object, at the
word before the colour, at the colour word, and at the shape word? Split by the object named
first and the object named second. The word before the first object's colour is the
caption's first word (*a* or *the*): the last line asks whether the map there is on either
of the two objects, and how much of the weight the two objects' cells hold. Chance is one
cell in nine for the brightest cell, two in nine for either object.
"""

MAPS_STATS = r"""
STATS_IMAGES = lab_size(full=300, grading=2)
hits = {"first": [], "second": []}
first_word_on_object, first_word_weight = [], []
for n in range(STATS_IMAGES):
    words, maps = attention_maps(models["attention"], test_patches[n])
    cells = {(COLOURS_LIST[o[0]], SHAPES[o[1]]): (o[2], o[3]) for o in data.test.objects[n]}
    both = [tuple(int(v) for v in o[2:]) for o in data.test.objects[n]]
    peak = tuple(int(v) for v in np.unravel_index(np.argmax(maps[0]), maps[0].shape))
    first_word_on_object.append(peak in both)
    first_word_weight.append(sum(maps[0][cell] for cell in both))
    named = 0
    for t in range(1, len(words) - 1):
        where = cells.get((words[t], words[t + 1]))
        if where is None or named > 1:
            continue
        peaks = [np.unravel_index(np.argmax(maps[s]), maps[s].shape) == where
                 for s in (t - 1, t, t + 1)]
        hits["first" if named == 0 else "second"].append(peaks)
        named += 1
print(f"{'object':<8} {'captions':>8} {'word before':>12} {'colour word':>12} {'shape word':>11}"
      f" {'either of the two':>18}")
for which, rows in hits.items():
    rows = np.array(rows, dtype=bool).reshape(-1, 3)
    share = 100 * rows.mean(axis=0) if len(rows) else np.zeros(3)
    either = 100 * (rows[:, 1] | rows[:, 2]).mean() if len(rows) else 0.0
    print(f"{which:<8} {len(rows):8d} {share[0]:11.0f}% {share[1]:11.0f}% {share[2]:10.0f}%"
          f" {either:17.0f}%")
print(f"\nfirst word of the caption, {STATS_IMAGES} captions: the brightest cell is on one of "
      f"the two objects in {100 * np.mean(first_word_on_object):.0f}%; the two objects' cells "
      f"hold {np.mean(first_word_weight):.2f} of the weight on average (0.22 if spread evenly)")
"""

MAPS_RESULTS_MD = r"""
**What the recorded run shows** (the figures and the tables above): at the words that name
an object the map lands on that object. For the object named second, the brightest cell
is on it at its colour word in 99% of the captions and at its shape word in 81%; for the
object named first, in 74% and 68%, and at one of the two words in 98%. The weight there
is typically 0.3 to 0.7 of the whole (one cell in nine would be 0.11). At the first word
(*a* / *the*), before anything has been written, the brightest cell is on one of the two
objects in all 300 captions, and the two objects' cells hold nearly all of the weight (1.00
on average, two decimals): the decoder finds the objects before it names one. It is not
yet on the one it names first, though: that one has the brightest cell in 45% of the
captions, the other in 55%; at the first object's colour word the map has moved to it
(74%). At the relation words (*is to the left of the*) the weights are spread,
because what the relation needs, both positions, was read at the objects. The position
comes with each cell's feature through its vector `W_pos[k]`: the one thing the
mean-feature RNN and LSTM cannot know.
"""

Q_ATTENTION = r"""
### Question 1 (2 points): why attention helps here

Compare the three models' exact correctness, in particular the LSTM and the attention
LSTM, which share their cell and their training settings. What can a decoder that only
sees the mean feature $\bar A$ know about the image, and what can it not know? How does
attention give the decoder the missing information, and what do the attention maps above
show?
"""

Q_BEAM = r"""
### Question 2 (2 points): beam search

Compare greedy decoding and beam search in the tables (the results and what beam search
changes). What does beam search fix, and what can it not fix, here and in general? Why
are finished hypotheses compared by their length-normalised score, and what does that
normalisation do to these captions?
"""

Q_EXPOSURE = r"""
### Question 3 (1 point): exposure bias

During training the decoder is always fed the reference's previous word; when it writes a
caption it is fed its own. Explain why this mismatch (exposure bias) can hurt, and name one
way to reduce it.
"""

A_ATTENTION = r"""
(Numbers from the recorded run, greedy decoding on 500 test images.) All three models name
the two objects: the RNN in 93% of the captions, the LSTM in 97%, the attention model in
all. But the RNN writes a true caption only 24% of the time and the LSTM 22%; the attention
LSTM 99.8%. The LSTM and the attention LSTM have the same cell, the same steps and the same
learning rate: the LSTM cell is not what makes the difference (it does no better than the
vanilla RNN), attention is. A true caption here needs two facts about positions: whether
the objects are one above the other or side by side ("above" or "to the left of"), and
which one is upper or left (it is named first). The two mean-feature models get both right
about one time in four (24/93 and 22/97), which is guessing twice. The mean feature
$\bar A$ keeps which colours and shapes are in the image (each patch is projected by the
same $W_{proj}$ and the projections are averaged) but not where: the mean of the position
vectors $W_{pos}$ is the same for every image, so nothing in $\bar A$ depends on the
positions, and no decoder reading only $\bar A$ can recover them. Attention gives the
decoder one cell's feature at a time, and that feature carries its position vector
$W_{pos}[k]$. The maps show it: at the words naming an object the weight is on that
object (99% of the captions at the colour word of the second object, 98% at one of the
two words of the first), and at the first word, before it names anything, the map is
already on one of the two objects (in all 300 captions measured).
"""
A_BEAM = r"""
(Recorded run, 200 test images.) Beam search looks for a caption with a better score than
greedy decoding's, where greedy commits to the most likely word at every step and cannot
take it back: that is the search error it can fix. Here it fixes almost nothing. The
attention model is right on every caption greedily (BLEU 100.0), and beam search changes
only the wording of 5 captions. For the RNN, BLEU rises from 52.7 to 60.3 but exact
correctness only from 26.0% to 27.0%, and for the LSTM both fall (BLEU 58.7 to 57.3,
correct 22.5% to 20.5%). What beam search changes is mostly the length: with length
normalisation it ranks captions by their mean log-probability per word, and the long
templates have more words that are nearly certain once the template is chosen ("is to
the left of the"), which raises their mean. 105 of the RNN's 200 greedy captions have 7
words ("a .. above a .."), 107 of its beam captions 11 ("the .. is to the left of the
.."). In this grammar the long template is also the other relation, so beam search swaps
one guess for the other: it fixes 42 captions and breaks 40. The beam's captions score
better per word (mean log p per word -0.179 against greedy's -0.223) but are less
probable as a whole (mean sum of log p -2.02 against -1.94; smaller than greedy's in 141
of the 200 images): not a better search for the most probable caption, a different
ranking. BLEU rises because the greedy captions were shorter than the references
(brevity penalty 0.89, 1.00 with beam) and the long templates share more 4-grams with the
references, not because more captions are true. What beam search cannot fix are model
errors: the mean-feature models do not know where the objects are, and no search over
their captions can find that out. Length normalisation itself: every word adds a negative
log-probability, so summed scores favour short hypotheses and a caption that ends early
would beat a complete one; dividing by the length compares captions by their mean
log-probability per word, which removes that bias but, as here, can favour long captions
instead.
"""
A_EXPOSURE = r"""
With teacher forcing the decoder only ever sees prefixes of correct captions, so it never
learns what to do after its own mistake: at sampling time one wrong word (say the wrong
colour) puts it in a state it was never trained in, and errors can compound over the rest
of the caption. Remedies: scheduled sampling (feed the model's own samples for a growing
fraction of training steps), training on sequence-level objectives on sampled captions
(e.g. reinforcement learning on BLEU or on a correctness reward), or beam search at test
time, which makes an early wrong word less likely to be kept.
"""

CELLS = [
    *opening(INTRO, CHECK_HELPERS),
    *section(DATA_MD, DATA_CODE),
    ("md", ATTN_MD),
    *exercise("dot_product_attention_forward", ATTN_FW_VISIBLE),
    *exercise("dot_product_attention_backward", ATTN_BW_VISIBLE),
    ("md", STEP_MD),
    *exercise("attention_lstm_step_forward", STEP_FW_VISIBLE),
    *exercise("attention_lstm_step_backward", STEP_BW_VISIBLE),
    ("md", SEQ_MD),
    *exercise("attention_lstm_forward", SEQ_FW_VISIBLE),
    *exercise("attention_lstm_backward", SEQ_BW_VISIBLE),
    ("md", LOSS_MD),
    *exercise("captioning_loss", LOSS_VISIBLE),
    ("md", DECODE_MD),
    ("setup", "setup_2", "DECODER"),
    *exercise("sample_greedy", GREEDY_VISIBLE),
    *exercise("beam_search", BEAM_VISIBLE),
    *section(LAB_MD, SETTINGS, LAB_TRAIN, LAB_CURVES),
    *section(EVAL_MD, EVAL_CODE),
    *section(BEAM_MD, BEAM_CODE),
    *section(MAPS_MD, MAPS_CODE),
    *section(MAPS_STATS_MD, MAPS_STATS),
    ("md", MAPS_RESULTS_MD),
    *question(Q_ATTENTION, "q_attention", 2, A_ATTENTION),
    *question(Q_BEAM, "q_beam_search", 2, A_BEAM),
    *question(Q_EXPOSURE, "q_exposure_bias", 1, A_EXPOSURE),
]
