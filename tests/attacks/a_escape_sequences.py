"""Terminal escapes, bidi overrides, lone surrogates, HTML and a spreadsheet formula in the id and in exception messages."""
STUDENT = "\x1b]0;owned\x07\x1b[2J=HYPERLINK(\"evil\")\u202e\u2028 x"
CELLS = {"rnn_step_forward": '''
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    raise ValueError("\\x1b[31m\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07 <script>alert(1)</script> =cmd|'/C calc'!A0 \\ud800 \\u202e")
'''}
ZERO = ("rnn_step_forward",)
