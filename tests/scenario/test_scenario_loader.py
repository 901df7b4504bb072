"""The YAML loader: plain data, a line for every key and value, no silent surprises."""

from __future__ import annotations

import pytest

from sim.scenario import ScenarioError
from sim.scenario.loader import format_path, load_yaml

TEXT = """\
a: 1
b:
  c: [x, y]
  d:
    - e: 2023-01-01T00:00:00Z
      on: yes
"""


def test_plain_data_with_timestamps_kept_as_text_and_keys_verbatim():
    loaded = load_yaml(TEXT)
    assert loaded.data == {
        "a": 1,
        "b": {"c": ["x", "y"], "d": [{"e": "2023-01-01T00:00:00Z", "on": True}]},
    }
    assert loaded.problems == []


def test_lines_of_keys_and_values():
    lines = load_yaml(TEXT).lines
    assert lines.key_line(("b",)) == 2
    assert lines.value_line(("b",)) == 3  # a block mapping starts at its first key
    assert lines.value_line(("b", "c", 1)) == 3
    assert lines.value_line(("b", "d", 0)) == 5
    assert lines.key_line(("b", "d", 0, "on")) == 6
    # Unknown paths fall back to the nearest ancestor.
    assert lines.value_line(("b", "d", 0, "missing")) == 5
    assert lines.value_line(()) == 1


def test_duplicate_keys_are_problems_and_the_first_value_is_kept():
    loaded = load_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    assert loaded.data == {"a": 1, "b": {"c": 1}}
    (problem,) = loaded.problems
    assert str(problem) == (
        "f.yaml:4: b.c: expected each key once per mapping, found 'c' again (first on line 3); "
        "YAML would silently keep only the last one"
    )


def test_explicit_keys_override_merged_ones_without_a_duplicate_error():
    loaded = load_yaml("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert loaded.data["use"] == {"x": 1, "y": 3}
    assert loaded.problems == []
    assert loaded.lines.key_line(("use", "y")) == 4


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: !!binary aGk=\n", 1, "found the YAML tag tag:yaml.org,2002:binary"),
        ("a: &x [*x]\n", 1, "found an alias that contains itself"),
        ("a: *nope\n", 1, "YAML syntax error: found undefined alias 'nope'"),
        ("a: 1\n---\nb: 2\n", 2, "YAML syntax error: expected a single document"),
        ("? [a, b]\n: 1\n", 1, "expected a plain key, found a sequence"),
        ("a: 1\nb: \x01\n", 2, "YAML error: the character '\\x01' is not allowed in YAML"),
    ],
)
def test_rejected_yaml(text, line, words):
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "f.yaml")
    assert info.value.line == line
    assert words in str(info.value)


def test_format_path():
    assert format_path(("functions", 0, "triggers", 0, "kinesis", "batch_size")) == (
        "functions[0].triggers[0].kinesis.batch_size"
    )
    assert format_path(("query", "values", ":day")) == "query.values[':day']"
    assert format_path(()) == ""
