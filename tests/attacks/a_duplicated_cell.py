"""Duplicate the rnn_step_forward answer cell and a hidden-test cell (same grade_id twice)."""
import copy
def mutate(nb):
    cells = []
    for cell in nb["cells"]:
        cells.append(cell)
        if cell["metadata"].get("nbgrader", {}).get("grade_id") in ("rnn_step_forward",
                                                                    "test_rnn_forward_h"):
            twin = copy.deepcopy(cell)
            cells.append(twin)
    nb["cells"] = cells
    return nb
STATUS = "tampered: duplicated cell"
