"""A synthetic class for tests/test_similarity.py: six independent, correct ways of writing
four `rnn` functions (vectorised or looping, @ or dot or einsum, tuples or dicts, other
names and orders), planted copies of two of them, and blanks."""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from typing import Any

from autograder.notebooks import answer_cells, cell_source

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"

HONEST: dict[str, dict[str, str]] = {
    "ada": {
        "rnn_step_forward": """
next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
cache = (x, prev_h, Wx, Wh, next_h)""",
        "rnn_step_backward": """
x, prev_h, Wx, Wh, next_h = cache
da = dnext_h * (1 - next_h ** 2)
dx = da @ Wx.T
dprev_h = da @ Wh.T
dWx = x.T @ da
dWh = prev_h.T @ da
db = da.sum(axis=0)""",
        "rnn_forward": """
N, T, D = x.shape
H = h0.shape[1]
h = np.zeros((N, T, H))
cache = []
current = h0
for t in range(T):
    current, c = rnn_step_forward(x[:, t, :], current, Wx, Wh, b)
    h[:, t, :] = current
    cache.append(c)""",
        "rnn_backward": """
N, T, H = dh.shape
D = cache[0][0].shape[1]
dx = np.zeros((N, T, D))
dWx = np.zeros((D, H))
dWh = np.zeros((H, H))
db = np.zeros(H)
dprev = np.zeros((N, H))
for t in range(T - 1, -1, -1):
    dx_t, dprev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dprev, cache[t])
    dx[:, t, :] = dx_t
    dWx += dWx_t
    dWh += dWh_t
    db += db_t
dh0 = dprev""",
    },
    "bo": {
        "rnn_step_forward": """
pre = np.dot(x, Wx) + np.dot(prev_h, Wh)
pre = pre + b[np.newaxis, :]
next_h = np.tanh(pre)
cache = {"x": x, "h_prev": prev_h, "Wx": Wx, "Wh": Wh, "h": next_h}""",
        "rnn_step_backward": """
dtanh = (1.0 - cache["h"] * cache["h"]) * dnext_h
db = np.sum(dtanh, axis=0)
dWh = np.dot(cache["h_prev"].T, dtanh)
dWx = np.dot(cache["x"].T, dtanh)
dprev_h = np.dot(dtanh, cache["Wh"].T)
dx = np.dot(dtanh, cache["Wx"].T)""",
        "rnn_forward": """
states = []
cache = []
state = h0
for step in range(x.shape[1]):
    state, step_cache = rnn_step_forward(x[:, step], state, Wx, Wh, b)
    states.append(state)
    cache.append(step_cache)
h = np.stack(states, axis=1)""",
        "rnn_backward": """
grads_x = []
dWx = np.zeros_like(cache[0]["Wx"])
dWh = np.zeros_like(cache[0]["Wh"])
db = np.zeros(dh.shape[2])
carry = np.zeros_like(dh[:, 0])
for step in reversed(range(len(cache))):
    gx, carry, gWx, gWh, gb = rnn_step_backward(dh[:, step] + carry, cache[step])
    grads_x.insert(0, gx)
    dWx, dWh, db = dWx + gWx, dWh + gWh, db + gb
dx = np.stack(grads_x, axis=1)
dh0 = carry""",
    },
    "cy": {
        "rnn_step_forward": """
N = x.shape[0]
H = Wh.shape[0]
next_h = np.empty((N, H))
for n in range(N):
    next_h[n] = np.tanh(Wx.T.dot(x[n]) + Wh.T.dot(prev_h[n]) + b)
cache = (next_h, x, prev_h, Wx, Wh)""",
        "rnn_step_backward": """
h_new, x_in, h_old, W_in, W_rec = cache
g = dnext_h * (1 - np.square(h_new))
dx = np.einsum("nh,dh->nd", g, W_in)
dprev_h = np.einsum("nh,kh->nk", g, W_rec)
dWx = np.einsum("nd,nh->dh", x_in, g)
dWh = np.einsum("nk,nh->kh", h_old, g)
db = g.sum(0)""",
        "rnn_forward": """
T = x.shape[1]
out = [h0]
cache = []
for i in range(T):
    nh, cc = rnn_step_forward(x[:, i, :], out[-1], Wx, Wh, b)
    out.append(nh)
    cache.append(cc)
h = np.transpose(np.array(out[1:]), (1, 0, 2))""",
        "rnn_backward": """
T = dh.shape[1]
dx_list = [None] * T
dWx, dWh, db = 0, 0, 0
running = 0
t = T - 1
while t >= 0:
    res = rnn_step_backward(dh[:, t, :] + running, cache[t])
    dx_list[t] = res[0]
    running = res[1]
    dWx = dWx + res[2]
    dWh = dWh + res[3]
    db = db + res[4]
    t -= 1
dx = np.stack(dx_list, 1)
dh0 = running""",
    },
    "dee": {
        "rnn_step_forward": """
z = np.matmul(prev_h, Wh)
z += np.matmul(x, Wx)
z += b
next_h = np.tanh(z)
cache = (x, prev_h, next_h, Wx, Wh)""",
        "rnn_step_backward": """
inp, hprev, hnext, wx, wh = cache
local = 1.0 - hnext ** 2
delta = local * dnext_h
dWh = np.matmul(hprev.T, delta)
dWx = np.matmul(inp.T, delta)
db = delta.sum(axis=0)
dx = np.matmul(delta, wx.T)
dprev_h = np.matmul(delta, wh.T)""",
        "rnn_forward": """
batch, steps, _ = x.shape
hidden = Wh.shape[0]
h = np.zeros((batch, steps, hidden), dtype=x.dtype)
cache = [None] * steps
last = h0
for k in range(steps):
    h[:, k], cache[k] = rnn_step_forward(x[:, k], last, Wx, Wh, b)
    last = h[:, k]""",
        "rnn_backward": """
batch, steps, hidden = dh.shape
dWx = dWh = db = None
upstream = np.zeros((batch, hidden))
pieces = []
for k in range(steps - 1, -1, -1):
    grads = rnn_step_backward(dh[:, k] + upstream, cache[k])
    pieces.append(grads[0])
    upstream = grads[1]
    dWx = grads[2] if dWx is None else dWx + grads[2]
    dWh = grads[3] if dWh is None else dWh + grads[3]
    db = grads[4] if db is None else db + grads[4]
dx = np.stack(pieces[::-1], axis=1)
dh0 = upstream""",
    },
    "eli": {
        "rnn_step_forward": """
a = x.dot(Wx) + prev_h.dot(Wh) + b
next_h = np.tanh(a)
cache = (a, x, prev_h, Wx, Wh)  # keep the pre-activation""",
        "rnn_step_backward": """
a, x, prev_h, Wx, Wh = cache
da = dnext_h / np.cosh(a) ** 2
dx, dprev_h = da.dot(Wx.T), da.dot(Wh.T)
dWx, dWh, db = x.T.dot(da), prev_h.T.dot(da), da.sum(axis=0)""",
        "rnn_forward": """
hs, cache = [], []
h_t = h0
for x_t in np.moveaxis(x, 1, 0):
    h_t, c_t = rnn_step_forward(x_t, h_t, Wx, Wh, b)
    hs.append(h_t)
    cache.append(c_t)
h = np.moveaxis(np.array(hs), 0, 1)""",
        "rnn_backward": """
dx = np.zeros(dh.shape[:2] + (cache[0][1].shape[1],))
dWx = np.zeros_like(cache[0][3])
dWh = np.zeros_like(cache[0][4])
db = np.zeros_like(cache[0][0][0])
dh_next = np.zeros_like(dh[:, 0])
for t, c in reversed(list(enumerate(cache))):
    dx[:, t], dh_next, gWx, gWh, gb = rnn_step_backward(dh[:, t] + dh_next, c)
    dWx += gWx
    dWh += gWh
    db += gb
dh0 = dh_next""",
    },
    "fen": {
        "rnn_step_forward": """
affine = b + x @ Wx
affine = affine + prev_h @ Wh
next_h = np.tanh(affine)
cache = [x, prev_h, Wx, Wh, next_h]""",
        "rnn_step_backward": """
x, prev_h, Wx, Wh, next_h = cache
grad_pre = dnext_h - dnext_h * next_h * next_h
db = grad_pre.sum(axis=0)
dWx = x.T @ grad_pre
dx = grad_pre @ Wx.T
dWh = prev_h.T @ grad_pre
dprev_h = grad_pre @ Wh.T""",
        "rnn_forward": """
T = x.shape[1]
h = np.empty((x.shape[0], T, Wx.shape[1]))
cache = []
for t in range(T):
    h_in = h0 if t == 0 else h[:, t - 1]
    h[:, t], step = rnn_step_forward(x[:, t], h_in, Wx, Wh, b)
    cache.append(step)""",
        "rnn_backward": """
N, T, H = dh.shape
x_all = np.stack([c[0] for c in cache], axis=1)
hp_all = np.stack([c[1] for c in cache], axis=1)
Wx, Wh = cache[0][2], cache[0][3]
da_all = np.zeros((N, T, H))
dnext = np.zeros((N, H))
for t in range(T - 1, -1, -1):
    hn = cache[t][4]
    da_all[:, t] = (dh[:, t] + dnext) * (1 - hn ** 2)
    dnext = da_all[:, t] @ Wh.T
dh0 = dnext
dx = da_all @ Wx.T
dWx = np.einsum("ntd,nth->dh", x_all, da_all)
dWh = np.einsum("ntk,nth->kh", hp_all, da_all)
db = da_all.sum(axis=(0, 1))""",
    },
}

RENAMES = {"da": "grad_a", "current": "hidden_now", "dprev": "carry_back", "c": "step_cache",
           "dx_t": "gx", "dWx_t": "gwx", "dWh_t": "gwh", "db_t": "gb", "N": "n_batch",
           "T": "n_steps", "D": "n_in", "H": "n_hid", "t": "step"}
RENAMES_DEE = {"inp": "x_saved", "hprev": "h_before", "hnext": "h_after", "wx": "w_in",
               "wh": "w_rec", "local": "slope", "delta": "g", "batch": "nb", "steps": "ns",
               "hidden": "nh", "last": "h_cur", "k": "i", "upstream": "dh_up",
               "pieces": "dx_parts", "grads": "out"}


def rename(body: str, names: dict[str, str]) -> str:
    return re.sub(r"\b[A-Za-z_]\w*\b", lambda m: names.get(m.group(0), m.group(0)), body)


def commented(body: str) -> str:
    lines = body.strip("\n").splitlines()
    notes = ["# compute the gradient here", "# shapes checked on paper",
             "# this is my own approach", "# loop over time"]
    return "\n" + "\n".join(f"{line}  {notes[i % len(notes)]}" if i % 2 == 0 else line
                            for i, line in enumerate(lines))


def planted() -> dict[str, tuple[dict[str, str], bool]]:
    """(bodies, cells reordered in the notebook) of the copies: ada's with every name
    changed; dee's with comments, its cells in another order and its independent
    gradient lines shuffled; ada's again renamed, commented and reordered."""
    dee = dict(HONEST["dee"])
    dee = {gid: commented(body) for gid, body in dee.items()}
    lines = HONEST["dee"]["rnn_step_backward"].strip("\n").splitlines()
    dee["rnn_step_backward"] = "\n" + "\n".join(lines[:3] + lines[5:] + lines[3:5])
    dee["rnn_step_backward"] = commented(dee["rnn_step_backward"])
    return {
        "copy_renamed": ({g: rename(b, RENAMES) for g, b in HONEST["ada"].items()}, False),
        "copy_reordered": (dee, True),
        "copy_both": ({g: commented(rename(b, RENAMES_DEE))
                       for g, b in HONEST["dee"].items()}, True),
    }


PLANTED_PAIRS = {frozenset(("ada", "copy_renamed")), frozenset(("dee", "copy_reordered")),
                 frozenset(("dee", "copy_both")), frozenset(("copy_reordered", "copy_both"))}


def notebook(release: dict[str, Any], bodies: dict[str, str],
             reorder: bool = False) -> dict[str, Any]:
    """The release with `bodies` in place of the stubs of those answer cells."""
    nb = copy.deepcopy(release)
    answers = answer_cells(nb)
    for gid, body in bodies.items():
        cell = answers[gid]
        indented = "\n".join("    " + line if line else line
                             for line in body.strip("\n").splitlines())
        source = cell_source(cell)
        assert STUB in source, gid
        cell["source"] = source.replace(STUB, indented)
    if reorder:
        cells = nb["cells"]
        places = [i for i, c in enumerate(cells) if c in answers.values()]
        moved = [cells[i] for i in places][::-1]
        for i, c in zip(places, moved):
            cells[i] = c
    return nb


def write(folder: Path, student: str, nb: dict[str, Any] | bytes) -> None:
    (folder / student).mkdir(parents=True, exist_ok=True)
    data = nb if isinstance(nb, bytes) else json.dumps(nb).encode()
    (folder / student / "rnn.ipynb").write_bytes(data)


def small_class(folder: Path, release: dict[str, Any]) -> None:
    for student, bodies in HONEST.items():
        write(folder, student, notebook(release, bodies))
    for student, (bodies, reorder) in planted().items():
        write(folder, student, notebook(release, bodies, reorder))
    write(folder, "blank", release)
    write(folder, "short", notebook(release, {"rnn_step_forward":
                                              HONEST["ada"]["rnn_step_forward"]}))
    write(folder, "broken", b'{"cells": [')
    (folder / "nothing").mkdir()


def large_class(folder: Path, release: dict[str, Any], size: int, seed: int = 0) -> None:
    """`size` students, each mixing the honest styles function by function with their own
    names: many pairs share a function or two, as in a real class."""
    rng = random.Random(seed)
    styles = list(HONEST)
    for index in range(size):
        names = {old: f"{new}_{index}" for old, new in {**RENAMES, **RENAMES_DEE}.items()}
        bodies = {gid: rename(HONEST[rng.choice(styles)][gid], names)
                  for gid in HONEST["ada"]}
        write(folder, f"student{index:04d}", notebook(release, bodies))
