"""Every function returns zeros of the right shapes and leaves its inputs alone: no side-condition credit."""
CELLS = {
    "rnn_step_forward": "import numpy as np\ndef rnn_step_forward(x, prev_h, Wx, Wh, b):\n    return np.zeros_like(prev_h), None\n",
    "rnn_step_backward": "import numpy as np\ndef rnn_step_backward(dnext_h, cache):\n    return 0, 0, 0, 0, 0\n",
    "rnn_forward": "import numpy as np\ndef rnn_forward(x, h0, Wx, Wh, b):\n    return np.zeros(x.shape[:2] + h0.shape[1:]), None\n",
    "rnn_backward": "import numpy as np\ndef rnn_backward(dh, cache):\n    return 0, 0, 0, 0, 0\n",
    "clip_grad_norm": "import numpy as np\ndef clip_grad_norm(grads, max_norm):\n    return {k: np.zeros_like(v) for k, v in grads.items()}, 0.0\n",
    "rnn_gradient_norms": "import numpy as np\ndef rnn_gradient_norms(x, h0, Wx, Wh, b, dout):\n    return np.zeros(x.shape[1])\n",
    "rnn_truncated_bptt": "import numpy as np\ndef rnn_truncated_bptt(x, h0, Wx, Wh, b, dh, k):\n    N, T, D = x.shape\n    H = h0.shape[1]\n    return np.zeros((N, T, H)), np.zeros_like(x), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)\n",
}
ZERO = "all"
