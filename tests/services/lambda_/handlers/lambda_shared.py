"""Shared state between tests and handler modules (imported normally, so every execution
environment sees the same objects; the handler modules themselves are loaded fresh per
environment)."""

import collections
import threading

EVENTS: dict[str, threading.Event] = collections.defaultdict(threading.Event)
THREADS: dict[str, threading.Thread] = {}
INITS: collections.Counter[str] = collections.Counter()
FLAGS: dict[str, object] = {}


def reset() -> None:
    EVENTS.clear()
    THREADS.clear()
    INITS.clear()
    FLAGS.clear()
