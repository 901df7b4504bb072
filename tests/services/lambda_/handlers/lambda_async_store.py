"""What the asynchronous probe handlers received (a shared module: the handler module itself is
imported afresh in each execution environment)."""

RECEIVED: list[dict] = []
