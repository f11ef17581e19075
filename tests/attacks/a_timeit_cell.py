"""A %%timeit cell defines nothing in IPython (its body runs in a function of its own): the kit must not define it either."""
CELLS = {"clip_grad_norm": "%%timeit\n<<SOLUTION>>\n"}
ZERO = ("clip_grad_norm",)
