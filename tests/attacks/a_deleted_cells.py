"""Delete every hidden-test cell and stub rnn_backward."""
STUB = ("rnn_backward",)
def mutate(nb):
    nb["cells"] = [c for c in nb["cells"]
                   if not c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("test_")]
    return nb
ZERO = ("rnn_backward",)
STATUS = "tampered: deleted cell"
