"""Move the rnn_backward answer cell to the very top of the notebook."""
def mutate(nb):
    cells = nb["cells"]
    index = next(i for i, c in enumerate(cells)
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "rnn_backward")
    nb["cells"] = [cells[index]] + cells[:index] + cells[index + 1:]
    return nb
STATUS = "tampered: reordered cells"
