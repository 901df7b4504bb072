"""YAML loading that remembers where everything came from.

:func:`load_yaml` composes the document with PyYAML's safe loader and builds plain dicts, lists
and scalars itself, recording the line of every mapping key and every value in a
:class:`LineMap` keyed by path (``("functions", 0, "triggers", 0, "kinesis", "batch_size")``).
Unlike plain YAML it rejects duplicate keys, keeps timestamps as strings (values stay plain JSON)
and takes keys verbatim (``on:`` is the key ``"on"``, not ``True``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError, describe_value

Path = tuple[str | int, ...]

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: ``2021-11-01T00:00:00Z`` stays a string."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class LineMap:
    """1-based lines of mapping keys and of values, by path. The root value has path ``()``."""

    keys: dict[Path, int] = field(default_factory=dict)
    values: dict[Path, int] = field(default_factory=dict)

    def value_line(self, path: Path) -> int | None:
        """The line of the value at ``path``, or of its nearest recorded ancestor."""
        for i in range(len(path), -1, -1):
            if path[:i] in self.values:
                return self.values[path[:i]]
        return None

    def key_line(self, path: Path) -> int | None:
        """The line of the key at ``path`` (or the list item's start), else the nearest ancestor's."""
        for i in range(len(path), -1, -1):
            prefix = path[:i]
            if prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return None


def format_path(path: Path) -> str:
    """``("functions", 0, "handler")`` → ``functions[0].handler``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.replace("_", "").replace("-", "").isalnum():
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


class _Builder:
    def __init__(self, loader: _Loader, file: str):
        self.loader = loader
        self.file = file
        self.lines = LineMap()
        self.problems: list[ScenarioError] = []
        self._stack: list[yaml.Node] = []

    def error(self, node: yaml.Node, path: Path, **kw: Any) -> ScenarioError:
        return ScenarioError(
            file=self.file, line=node.start_mark.line + 1, key=format_path(path), **kw
        )

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.lines.values.setdefault(path, node.start_mark.line + 1)
        if any(node is seen for seen in self._stack):
            raise self.error(node, path, expected="a value", found="an alias that contains itself")
        self._stack.append(node)
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    raise self._bad_tag(node, path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if node.tag not in _SCALAR_TAGS:
                raise self._bad_tag(node, path)
            return self.loader.construct_object(node)
        finally:
            self._stack.pop()

    def _bad_tag(self, node: yaml.Node, path: Path) -> ScenarioError:
        return self.error(
            node,
            path,
            expected="a plain string, number, boolean, null, list or mapping",
            found=f"the YAML tag {node.tag}",
        )

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self._bad_tag(node, path)
        result: dict[str, Any] = {}
        # Merge keys (<<: *defaults) first; explicit keys then override them, as YAML says.
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise self.error(
                            source,
                            path,
                            expected="a mapping (or a list of mappings) after <<",
                            found=f"a {source.id}",
                        )
                    for key, value in self._mapping(source, path).items():
                        result.setdefault(key, value)
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, path, expected="a plain key", found=f"a {key_node.id}")
            key = key_node.value
            child = (*path, key)
            if key in seen:
                self.problems.append(
                    ScenarioError(
                        file=self.file,
                        line=line,
                        key=format_path(child),
                        expected="each key once per mapping",
                        found=f"{key!r} again (first on line {seen[key]})",
                        hint="YAML would silently keep only the last one",
                    )
                )
                continue
            seen[key] = line
            self.lines.keys[child] = line
            self.lines.values[child] = value_node.start_mark.line + 1
            result[key] = self.build(value_node, child)
        return result


@dataclass
class Loaded:
    """A loaded document: the plain data, its line map, and non-fatal problems (duplicate keys)."""

    data: Any
    lines: LineMap
    problems: list[ScenarioError]


def load_yaml(text: str, file: str = "<string>") -> Loaded:
    """Parse ``text`` into plain data with line information.

    Raises :class:`ScenarioError` for syntax errors and unsupported tags; an empty document
    gives ``data`` None (see :func:`require_mapping`). Duplicate keys are returned in ``problems`` (the first occurrence is kept) so they can be
    reported together with schema errors.
    """
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        builder = _Builder(loader, file)
        data = builder.build(node, ()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        detail = problem
        if exc.context and not exc.context.startswith("while"):
            detail = f"{exc.context}, {problem}"  # "expected a single document…, but found another"
        elif exc.context:
            where = exc.context_mark
            started = mark is not None and where is not None and where.line != mark.line
            detail += f" ({exc.context} started on line {where.line + 1})" if started else ""
        raise ScenarioError(
            file=file,
            line=mark.line + 1 if mark else None,
            message=f"YAML syntax error: {detail}",
            expected="valid YAML",
            found=problem,
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        found = f"the character {chr(exc.character)!r}" if isinstance(exc.character, int) else ""
        raise ScenarioError(
            file=file,
            line=line,
            message=f"YAML error: {found or 'a character'} is not allowed in YAML",
            expected="printable text",
            found=found,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Loaded(data, builder.lines, builder.problems)


def require_mapping(loaded: Loaded, file: str, what: str) -> dict[str, Any]:
    """The top-level mapping, or a clear error when the document is something else."""
    if loaded.data is None:
        empty = not loaded.lines.values or loaded.lines.value_line(()) is None
        raise ScenarioError(
            file=file,
            line=1,
            expected=f"a mapping of {what} keys at the top level (at least name and clock)",
            found="an empty file" if empty else "an empty document",
        )
    if not isinstance(loaded.data, dict):
        raise ScenarioError(
            file=file,
            line=loaded.lines.value_line(()),
            expected=f"a mapping of {what} keys at the top level",
            found=describe_value(loaded.data),
        )
    return loaded.data
