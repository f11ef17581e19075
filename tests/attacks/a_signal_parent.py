"""Send SIGKILL to the parent process and the process group when called."""
CELLS = {"rnn_step_backward": '''
import os, signal
def rnn_step_backward(dnext_h, cache):
    for target in (os.getppid(),):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
    except OSError:
        pass
    raise NotImplementedError()
'''}
ZERO = ("rnn_step_backward",)
STOCK_SAFE = False
