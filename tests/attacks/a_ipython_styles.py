"""A correct notebook in legal IPython styles: magics, shell lines, cell magics, continuations, form feeds, odd line separators."""

CELLS = {
    "rnn_step_forward": "%matplotlib inline\n!echo hello\nimport numpy \\\n    as np\n\x0c\n_scale = (1\n% 2)\n<<SOLUTION>>\n",
    "clip_grad_norm": "%%time\n<<SOLUTION>>\n",
    "rnn_forward": "files = !ls\n<<SOLUTION>>\nlabel = 'a\u2028b\u2029c\x1c'\n",
    # An indented cell magic and a statement timed by a line magic define their names too.
    "rnn_step_backward": "  %%time\n<<INDENTED_SOLUTION>>\n",
    "rnn_gradient_norms": "%time import numpy as np\n<<SOLUTION>>\n",
}
ZERO = ()
