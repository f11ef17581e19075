"""Give every hidden test 100 points."""
def mutate(nb):
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade") and meta.get("points") is not None:
            meta["points"] = 100
    return nb
STATUS = "tampered: changed points"
