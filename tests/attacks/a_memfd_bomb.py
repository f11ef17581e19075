"""Fill anonymous shared memory (memfd and System V shm), which an address-space limit does not count."""
CELLS = {"rnn_step_backward": '''
import ctypes, os
def rnn_step_backward(dnext_h, cache):
    chunk = b"x" * (64 << 20)
    fd = os.memfd_create("hoard")
    for _ in range(16):  # 1 GB
        os.write(fd, chunk)
    raise NotImplementedError()
''', "rnn_backward": '''
import ctypes
def rnn_backward(dh, cache):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    shmid = libc.shmget(0, 1 << 30, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600, 1 GB
    if shmid >= 0:
        address = libc.shmat(shmid, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memset(address, 1, 1 << 30)
    raise NotImplementedError()
'''}
ZERO = ("rnn_step_backward", "rnn_backward")
STOCK_SAFE = False
