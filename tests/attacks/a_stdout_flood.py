"""Print about a gigabyte while defining a correct function."""
CELLS = {"clip_grad_norm": '''<<SOLUTION>>

import os, sys
_chunk = "spam " * 2_000_000
for _ in range(100):
    sys.stdout.write(_chunk)
    os.write(1, _chunk.encode()[:1_000_000])
'''}
STOCK_SAFE = False
