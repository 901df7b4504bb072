"""The Python examples of docs/sns.md run as written (each with its own embedded backend)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "sns.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_doc_has_examples() -> None:
    assert BLOCKS


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_docs_sns_python_examples_run(index: int) -> None:
    exec(compile(BLOCKS[index], f"docs/sns.md python block {index}", "exec"), {})
