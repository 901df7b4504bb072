"""State shared between the tests and the handler modules.

Imported normally, so every execution environment sees the same objects (the handler modules
themselves are loaded fresh for each environment, so their own module state is private).
"""

import collections
from typing import Any

# (function name, request id, event as the handler received it), in invocation order
EVENTS: list[tuple[str, str, dict[str, Any]]] = []
# invocations per function name
CALLS: collections.Counter[str] = collections.Counter()


def reset() -> None:
    EVENTS.clear()
    CALLS.clear()
