"""Send the first bytes of a reply frame and then hang, so the grader waits in the middle of reading."""
CELLS = {"clip_grad_norm": '''
import os, socket, stat, struct, time
def clip_grad_norm(grads, max_norm):
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                socket.socket(fileno=os.dup(fd)).sendall(struct.pack(">IQ", 100, 0) + b'{"ok"')
        except OSError:
            pass
    while True:
        time.sleep(1)
'''}
ZERO = ("clip_grad_norm",)
STATUS = "timeout"
STOCK_SAFE = False
