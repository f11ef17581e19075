"""Every cell claims nbgrader schema_version 99 (stock nbgrader stops the whole batch)."""
def mutate(nb):
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader")
        if meta:
            meta["schema_version"] = 99
    return nb
STATUS = "tampered: unknown nbgrader schema_version"
