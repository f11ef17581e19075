"""The student's folder holds no notebook at all (a .py export instead)."""
def layout(folder, data):
    (folder / "rnn.py").write_text("print('my solution')\n")
ZERO = "all"
STATUS = "missing notebook"
