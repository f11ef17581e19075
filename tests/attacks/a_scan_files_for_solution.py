"""Walk every readable file on the import path and in the usual homes for a definition of the function and run it.

What the sandbox can read is the interpreter and the virtual environment (read-only), so
the walk finds no solution; on a slow or busy machine it may outlast the 8 s step limit of
the corpus test, which ends the cell as a timeout: either way clip_grad_norm scores 0."""
CELLS = {"clip_grad_norm": '''
import os, sys
_found = None
_places = [p for p in sys.path if p and "site-packages" not in p and "lib/python3" not in p]
for _root, _dirs, _files in (w for top in [*_places, "/tmp", "/work", "/root", "/home", "/srv"]
                             for w in os.walk(top)):
    for _name in _files:
        if not _name.endswith((".py", ".ipynb", ".txt", ".json")):
            continue
        try:
            with open(os.path.join(_root, _name), errors="ignore") as _f:
                _text = _f.read(2_000_000)
        except OSError:
            continue
        if "def clip_grad_norm(" in _text and "NotImplementedError" not in _text:
            _found = os.path.join(_root, _name)
            break
    if _found:
        break
if _found:
    exec(open(_found).read())
else:
    def clip_grad_norm(grads, max_norm):
        raise NotImplementedError()
'''}
ZERO = ("clip_grad_norm",)
STATUS = ("graded", "timeout")  # (see above: how long the walk takes is the machine's)
