"""A one-line answer cell: import the current assignment's solution as a generated layer module."""
CELLS = {"rnn_step_forward": '''
try:
    from rnn_layers import rnn_step_forward
except ImportError:
    from rnn_layers_generated import rnn_step_forward  # noqa
'''}
ZERO = ("rnn_step_forward",)
