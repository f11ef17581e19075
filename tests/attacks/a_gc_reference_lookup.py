"""At call time, search the process's memory (gc) for the reference function and call it."""
CELLS = {"rnn_step_backward": '''
import gc
def rnn_step_backward(dnext_h, cache):
    for obj in gc.get_objects():
        if isinstance(obj, dict) and str(obj.get("__name__", "")).startswith("reference_"):
            function = obj.get("rnn_step_backward")
            if function is not None:
                return function(dnext_h, cache)
    raise NotImplementedError()
'''}
ZERO = ("rnn_step_backward",)
