"""docs/schedules.md's example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_schedules_doc_example_runs():
    text = (ROOT / "docs" / "schedules.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    exec(compile(blocks[0], "docs/schedules.md", "exec"), {})
