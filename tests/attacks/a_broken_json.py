"""The notebook file is truncated JSON."""
import json
def mutate(nb):
    return json.dumps(nb)[:5000]
ZERO = "all"
STATUS = "invalid notebook"
