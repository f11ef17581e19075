"""Write garbage frames (huge lengths, broken JSON, deep nesting) on the sandbox's socket instead of answering."""
CELLS = {"rnn_step_backward": '''
import os, socket, stat, struct
def rnn_step_backward(dnext_h, cache):
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                sock = socket.socket(fileno=os.dup(fd))
                body = b"[" * 200000
                sock.sendall(struct.pack(">IQ", len(body), 0) + body)
                sock.sendall(struct.pack(">IQ", 2**31, 2**62) + b"\\xff" * 64)
        except OSError:
            pass
    raise NotImplementedError()
'''}
ZERO = ("rnn_step_backward",)
STATUS = "crashed"
STOCK_SAFE = False
