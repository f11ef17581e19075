"""In a retry (with correct helpers), raise MemoryError and stall, to signal through the status and the reported time."""
CELLS = {"rnn_backward": '''
import time
def rnn_backward(dh, cache):
    if rnn_forward.__code__.co_name == "helper":
        time.sleep(3)
        raise MemoryError("signal")
    raise NotImplementedError()
'''}
ZERO = ("rnn_backward",)
STOCK_SKIP = "runs only in the kit's retries"
