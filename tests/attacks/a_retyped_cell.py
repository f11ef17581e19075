"""Turn the rnn_step_backward answer cell into a markdown cell."""
def mutate(nb):
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "rnn_step_backward":
            cell["cell_type"] = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return nb
ZERO = ("rnn_step_backward",)
STATUS = "tampered: retyped cell"
