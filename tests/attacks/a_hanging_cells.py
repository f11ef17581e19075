"""Every answer cell hangs when run: the submission must cost no more than its wall-clock budget."""
CELLS = {f: "import time\nwhile True:\n    time.sleep(1)\n" for f in (
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "clip_grad_norm",
    "rnn_gradient_norms", "rnn_truncated_bptt")}
ZERO = "all"
STATUS = "timeout"
STOCK_SKIP = "every cell waits for the cell timeout"
