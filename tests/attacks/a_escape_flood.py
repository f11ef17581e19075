"""Answer cells of thousands of magic and shell lines, which IPython's transformation re-reads once per line."""
CELLS = {"rnn_step_forward": "%x\n" * 16000, "clip_grad_norm": "!x\n" * 16000}
ZERO = ("rnn_step_forward", "clip_grad_norm")
STOCK_SKIP = "IPython itself takes minutes per cell"
