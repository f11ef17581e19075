"""The notebook claims nbformat 3."""
def mutate(nb):
    nb["nbformat"] = 3
    return nb
ZERO = "all"
STATUS = "invalid notebook"
