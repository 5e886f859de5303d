"""Schemathesis hooks for scripts/contract (loaded through SCHEMATHESIS_HOOKS)."""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    # The contract gives an NDJSON body as an array of samples, one line each.
    # Anything else (a negative case) goes as one line, as a client might send it.
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode()
