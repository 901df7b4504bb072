"""Run one command as this process's only child; report its wall time and peak RSS as JSON.

    python tests/bench/rss_probe.py COMMAND [ARGS...]

``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the largest resident set of the children
waited for; with one child it is that child's peak, untouched by whatever ran before in the
benchmark's own process. The child's output is passed back in the JSON (``stdout``, ``stderr``).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> int:
    command = sys.argv[1:]
    began = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "command": command,
                "returncode": completed.returncode,
                "wall_seconds": wall,
                "max_rss_kib": usage.ru_maxrss,  # KiB on Linux
                "user_seconds": usage.ru_utime,
                "system_seconds": usage.ru_stime,
                "stdout": completed.stdout,
                "stderr": completed.stderr[-4000:],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
