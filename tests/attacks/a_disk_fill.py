"""Try to fill the disk (10 GB file) before defining a correct function."""
CELLS = {"rnn_forward": '''
_block = b"\\0" * (1 << 20)
try:
    with open("fill.bin", "wb") as _f:
        for _ in range(10_240):
            _f.write(_block)
except OSError:
    pass
<<SOLUTION>>
'''}
STOCK_SAFE = False
