"""Two notebooks with the assignment's name in both layouts (one right, one stubbed)."""
def layout(folder, data):
    (folder / "rnn.ipynb").write_bytes(data)
    (folder / "rnn").mkdir()
    (folder / "rnn" / "rnn.ipynb").write_bytes(data.replace(b"np.tanh", b"np.sinh"))
ZERO = "all"
STATUS = "duplicate notebooks"
