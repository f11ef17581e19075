"""Exception messages and printed output that start with spreadsheet formulas and carry control characters."""
CELLS = {"clip_grad_norm": '''
print("=1+1\\r\\x1b[1A\\x1b[2Kgraded: 100/100")
class Evil(Exception):
    def __str__(self):
        return "@SUM(A1)\\x00\\x07\\x08\\x7f\\x9b31m"
def clip_grad_norm(grads, max_norm):
    raise Evil()
'''}
ZERO = ("clip_grad_norm",)
