"""Checking that a Lambda handler module is cloud code: what it imports, read from its source."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType


def top_level_imports(module: ModuleType, *, at_import: bool = False) -> set[str]:
    """The top-level package of every ``import``/``from … import`` in ``module``'s source;
    ``at_import``: only those at module level (run when the module is imported, not inside a
    function)."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text())
    imported: set[str] = set()
    for node in tree.body if at_import else ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    return imported
