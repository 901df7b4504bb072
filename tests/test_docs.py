"""The examples in the README run as written."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


@pytest.mark.parametrize("index", range(len(python_blocks(ROOT / "README.md"))))
def test_readme_python_examples_run(index, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    block = python_blocks(ROOT / "README.md")[index].replace(
        'export="out"', f"export={str(tmp_path)!r}"
    )
    exec(compile(block, f"README.md python block {index}", "exec"), {})
    if "export=" in python_blocks(ROOT / "README.md")[index]:
        assert (tmp_path / "tables" / "Temperature.jsonl").exists()
    assert os.getcwd() == str(ROOT)


def test_readme_starts_with_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text().splitlines()[:12])
    assert "make scenario" in head and "make test" in head
