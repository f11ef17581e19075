"""Leave a correct answer in every shared channel a process can reach (keyrings, /dev/shm, abstract sockets, /tmp) for a later student."""
STUDENT = "channel_a_writer"
CELLS = {"clip_grad_norm": '''<<SOLUTION>>

import ctypes, marshal, os, socket
_code = marshal.dumps(clip_grad_norm.__code__)
_libc = ctypes.CDLL(None, use_errno=True)
for _ring in (-4, -3, -5):  # user, user-session, process keyrings
    try:
        _libc.syscall(248, b"user", b"kitstash", _code, len(_code), _ring)  # add_key
    except Exception:
        pass
for _path in ("/dev/shm/kitstash", "/tmp/kitstash", "/var/tmp/kitstash", "kitstash"):
    try:
        open(_path, "wb").write(_code)
    except OSError:
        pass
try:
    _server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _server.bind("\\0kitstash")
    _server.listen()
except OSError:
    pass
'''}
ZERO = ()
STOCK_SAFE = False  # it writes into the host's /tmp and keyrings under stock nbgrader
