"""Bad scenario files: each error names the line, the key path, what was expected and found."""

from __future__ import annotations

import textwrap

import pytest
from scenario_support import HEAD, one_error, scenario_errors

from sim.scenario import ScenarioError, ScenarioErrors, load_scenario, parse_scenario
from sim.scenario.example import EXAMPLE

STREAM = """\
resources:
  streams:
    - name: orders
"""
"""Lines 5-7 after HEAD: one stream named orders."""

FUNCTION = """\
functions:
  - name: consume
    handler: consumers.orders:handler
    triggers:
      - kinesis:
          stream: orders
          starting_position: TRIM_HORIZON
"""
"""Lines 8-14 after HEAD + STREAM; the kinesis settings start on line 13."""


def with_function(old: str = "", new: str = "") -> str:
    """HEAD + STREAM + FUNCTION with ``old`` replaced by ``new``."""
    text = HEAD + STREAM + FUNCTION
    assert old in text, old
    return text.replace(old, new, 1) if old else text


def single(text: str) -> ScenarioError:
    errors = scenario_errors(text)
    assert len(errors) == 1, "\n".join(str(e) for e in errors)
    return errors[0]


def test_unknown_top_level_key_suggests_the_close_one():
    error = one_error("funtions: []\n")
    assert (error.line, error.key) == (5, "funtions")
    assert error.found == "the unknown key 'funtions'"
    assert error.hint == "did you mean 'functions'?"
    assert "name, description, seed, region, account_id, clock" in error.expected
    assert str(error).startswith("x.yaml:5: funtions: expected one of the keys name, ")
    assert str(error).endswith("found the unknown key 'funtions'; did you mean 'functions'?")


def test_unknown_nested_key():
    text = with_function("starting_position: TRIM_HORIZON", "starting_positon: LATEST")
    errors = scenario_errors(text)
    unknown = next(e for e in errors if e.key.endswith("starting_positon"))
    assert unknown.line == 14
    assert unknown.key == "functions[0].triggers[0].kinesis.starting_positon"
    assert unknown.hint == "did you mean 'starting_position'?"
    assert "stream, starting_position, starting_position_timestamp, batch_size," in unknown.expected
    # The misspelt key leaves the required one missing: both are reported, sorted by line.
    missing = next(e for e in errors if e.key.endswith(".starting_position"))
    assert missing.line == 12
    assert [e.line for e in errors] == sorted(e.line for e in errors)


def test_missing_required_key():
    text = with_function("    handler: consumers.orders:handler\n", "")
    error = single(text)
    assert (error.line, error.key) == (9, "functions[0].handler")
    assert error.expected == "a handler such as package.module:function"
    assert error.found == "nothing"
    assert str(error) == (
        "x.yaml:9: functions[0].handler: missing required key; "
        "expected a handler such as package.module:function"
    )


def test_missing_top_level_key():
    errors = scenario_errors("name: t\n")
    assert [(e.line, e.key) for e in errors] == [(1, "clock")]
    assert errors[0].expected == "a mapping with the keys start, duration, speed"


def test_wrong_type():
    error = single(
        with_function(
            "starting_position: TRIM_HORIZON",
            "starting_position: LATEST\n          batch_size: lots",
        )
    )
    assert (error.line, error.key) == (15, "functions[0].triggers[0].kinesis.batch_size")
    assert error.expected == "an integer from 1 to 10000"
    assert error.found == "'lots'"


def test_number_where_string_expected_says_to_quote_it():
    error = one_error(
        """\
        functions:
          - name: f
            handler: pkg.mod:fn
            env: {PORT: 8080}
        """
    )
    assert (error.line, error.key) == (8, "functions[0].env.PORT")
    assert (error.expected, error.found) == ("a string", "8080")
    assert error.hint == 'quote it to make it a string: "8080"'


def test_out_of_range_number():
    text = with_function(
        "starting_position: TRIM_HORIZON",
        "starting_position: TRIM_HORIZON\n          batch_size: 20000",
    )
    error = single(text)
    assert str(error) == (
        "x.yaml:15: functions[0].triggers[0].kinesis.batch_size: "
        "expected an integer from 1 to 10000, found 20000"
    )


def test_maximum_record_age_between_minus_one_and_sixty_is_rejected():
    text = with_function(
        "starting_position: TRIM_HORIZON",
        "starting_position: TRIM_HORIZON\n          maximum_record_age: 30",
    )
    error = single(text)
    assert error.key.endswith("kinesis.maximum_record_age")
    assert error.expected == "-1 or an integer from 60 to 604800 seconds"


def test_bad_enum_value():
    error = single(with_function("TRIM_HORIZON", "EARLIEST"))
    assert (error.line, error.key) == (14, "functions[0].triggers[0].kinesis.starting_position")
    assert error.expected == "one of TRIM_HORIZON, LATEST, AT_TIMESTAMP"
    assert error.found == "'EARLIEST'"
    assert error.hint is None


def test_enum_value_in_the_wrong_case_gets_a_suggestion():
    error = single(with_function("TRIM_HORIZON", "trim_horizon"))
    assert error.hint == "did you mean 'TRIM_HORIZON'?"


def test_bad_duration_string():
    text = HEAD.replace("duration: 1h", "duration: 10 minutes")
    error = single(text)
    assert (error.line, error.key) == (4, "clock.duration")
    assert error.expected == "a duration such as 30s, 15m, 3h or 1h30m"
    assert error.found == "'10 minutes'"


def test_zero_duration_is_rejected():
    error = single(HEAD.replace("duration: 1h", "duration: 0s"))
    assert (error.key, error.expected) == ("clock.duration", "a duration greater than 0 seconds")


def test_bad_time():
    error = single(HEAD.replace("2021-11-01T00:00:00Z", "yesterday"))
    assert (error.line, error.key) == (3, "clock.start")
    assert error.expected == "a time such as 2021-11-01T00:00:00Z"


def test_duplicate_key():
    error = one_error("seed: 1\nregion: us-east-1\nseed: 2\n")
    assert (error.line, error.key) == (7, "seed")
    assert error.expected == "each key once per mapping"
    assert error.found == "'seed' again (first on line 5)"


def test_duplicate_keys_are_reported_with_schema_errors():
    errors = scenario_errors(HEAD + "seed: 1\nseed: 2\nregion: moon\n")
    assert [(e.line, e.key) for e in errors] == [(6, "seed"), (7, "region")]
    assert isinstance(errors, list)


def test_yaml_syntax_error():
    error = one_error("description: [unclosed\nseed: 1\n")
    assert error.line == 6
    assert error.key == ""
    assert str(error) == (
        "x.yaml:6: YAML syntax error: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence started on line 5)"
    )


def test_bad_indentation_is_a_syntax_error_with_its_line():
    error = one_error("description: x\n  seed: 1\n")
    assert error.line == 6
    assert "mapping values are not allowed here" in str(error)


def test_trigger_referencing_a_missing_stream():
    error = single(with_function("stream: orders", "stream: order"))
    assert (error.line, error.key) == (13, "functions[0].triggers[0].kinesis.stream")
    assert error.expected == "the name of a stream in resources.streams (orders)"
    assert error.found == "'order'"
    assert error.hint == "did you mean 'orders'?"


def test_reference_when_nothing_is_declared():
    error = one_error(
        """\
        producers:
          - {name: p, type: noaa, target: {stream: orders}}
        """
    )
    assert (error.line, error.key) == (6, "producers[0].target.stream")
    assert error.hint == "resources.streams declares none"


def test_duplicate_function_names():
    text = HEAD + STREAM + FUNCTION + "  - name: consume\n    handler: a.b:c\n"
    error = single(text)
    assert (error.line, error.key) == (15, "functions[1].name")
    assert error.expected == "a name not used by another entry of functions"
    assert error.found == "'consume', already used on line 9"


def test_duplicate_stream_names():
    text = HEAD + STREAM + "    - name: orders\n      shards: 2\n"
    error = single(text)
    assert (error.line, error.key) == (8, "resources.streams[1].name")


def test_at_timestamp_without_timestamp():
    error = single(with_function("TRIM_HORIZON", "AT_TIMESTAMP"))
    assert (error.line, error.key) == (14, "functions[0].triggers[0].kinesis.starting_position")
    assert error.expected == "a starting_position_timestamp with starting_position AT_TIMESTAMP"
    assert error.found == "none"


def test_timestamp_without_at_timestamp():
    text = with_function(
        "TRIM_HORIZON", "LATEST\n          starting_position_timestamp: 2021-11-01T00:00:00Z"
    )
    error = single(text)
    assert error.line == 15
    assert error.key.endswith("kinesis.starting_position_timestamp")


def test_shards_with_on_demand():
    text = HEAD + STREAM + "      mode: ON_DEMAND\n      shards: 4\n"
    error = single(text)
    assert (error.line, error.key) == (9, "resources.streams[0].shards")
    assert (error.expected, error.found) == ("no shards with mode ON_DEMAND", "4")


def test_two_comparisons_in_one_expectation():
    error = one_error(
        """\
        expect:
          - ledger: lost
            equals: 0
            at_most: 1
        """
    )
    assert (error.line, error.key) == (8, "expect[0].at_most")
    assert error.expected == (
        "exactly one comparison (equals, at_least, at_most, between, each_between, not_equals)"
    )
    assert error.found == "equals and at_most"


def test_two_check_kinds_in_one_expectation():
    error = one_error(
        """\
        expect:
          - stream: {stream: orders}
            ledger: lost
            equals: 0
        """,
        head=HEAD + STREAM,
    )
    assert (error.line, error.key) == (10, "expect[0].ledger")
    assert error.found == "ledger and stream"


def test_expectation_without_comparison():
    error = one_error("expect:\n  - ledger: lost\n")
    assert (error.line, error.key) == (6, "expect[0]")
    assert error.found == "none of them"


def test_equals_null_is_a_comparison():
    scenario = parse_scenario(HEAD + "expect:\n  - ledger: lost\n    equals: null\n")
    assert scenario.expect[0].comparison == "equals"
    assert scenario.expect[0].target is None


def test_bad_handler_string():
    error = single(with_function("consumers.orders:handler", "consumers.orders.handler"))
    assert (error.line, error.key) == (10, "functions[0].handler")
    assert error.expected == "a handler such as package.module:function"
    assert error.found == "'consumers.orders.handler'"


def test_empty_file():
    for text in ("", "# only a comment\n"):
        error = single(text)
        assert error.line == 1
        assert error.found == "an empty file"


def test_top_level_list():
    error = single("- name: t\n- name: u\n")
    assert (error.line, error.key) == (1, "")
    assert error.expected == "a mapping of scenario keys at the top level"
    assert error.found == "a list"


def test_unreadable_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "missing.yaml")
    assert str(info.value).startswith(f"{tmp_path / 'missing.yaml'}: cannot read the file")
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(tmp_path / "latin1.yaml")


def test_file_name_and_line_in_messages(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + "seed: x\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}:5: seed: expected an integer, found 'x'"


def test_all_problems_are_reported_sorted_by_line():
    text = HEAD + textwrap.dedent(
        """\
        seed: x
        resources:
          streams:
            - {name: s, shards: 0}
        functions:
          - name: f
            handler: nope
            memory: 64
        """
    )
    with pytest.raises(ScenarioErrors) as info:
        parse_scenario(text, "x.yaml")
    errors = info.value.errors
    assert [(e.line, e.key) for e in errors] == [
        (5, "seed"),
        (8, "resources.streams[0].shards"),
        (11, "functions[0].handler"),
        (12, "functions[0].memory"),
    ]
    assert errors[3].expected == "an integer from 128 to 10240 MB"
    report = str(info.value).splitlines()
    assert report[0] == "x.yaml: 4 problems"
    assert report[1] == "  x.yaml:5: seed: expected an integer, found 'x'"
    assert len(report) == 5
    assert (info.value.line, info.value.key) == (5, "seed")  # the first error's fields


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        (
            "name: weather\n",
            "name: weather stream\n",
            "resources.streams[0].name",
            "a stream name of 1 to 128 letters, digits, '_', '.' or '-'",
        ),
        (
            "name: weather-archive",
            "name: Weather_Archive",
            "resources.buckets[0].name",
            "a bucket name of 3 to 63 lowercase letters, digits, '.' or '-', starting and ending "
            "with a letter or digit",
        ),
        (
            "name: ordered.fifo",
            "name: ordered",
            "resources.queues[1].name",
            "a name ending in .fifo for a FIFO queue",
        ),
        (
            "      read_capacity: 5\n",
            "",
            "resources.tables[1].read_capacity",
            "an integer of at least 1 with billing_mode PROVISIONED",
        ),
        (
            "partition_key: station:S",
            "partition_key: station:X",
            "resources.tables[0].partition_key.type",
            "one of S, N, B",
        ),
        (
            "Effect: Allow\n                Action",
            "Effect: Permit\n                Action",
            "functions[0].role.policies[0].document.Statement[0].Effect",
            "Effect Allow or Deny",
        ),
        (
            '                Resource: "*"\n',
            "",
            "functions[0].role.policies[0].document.Statement[0]",
            "Resource (or NotResource) in every statement",
        ),
        (
            "Principal: {Service: firehose.amazonaws.com}\n",
            "Principle: x\n",
            "resources.buckets[0].policy.Statement[0].Principle",
            "one of the statement keys Sid, Effect, Principal, NotPrincipal, Action, NotAction, "
            "Resource, NotResource, Condition",
        ),
        (
            "between: [-50, 60]",
            "between: [60, -50]",
            "expect[3].between",
            "[low, high] with low not above high",
        ),
        (
            "index: by-date",
            "index: by-day",
            "expect[4].query.index",
            "the name of an index in resources.tables[0].global_secondary_indexes (by-date)",
        ),
        (
            "key: {station: USW00094728, ts: 0}",
            "key: {station: USW00094728}",
            "expect[3].item.key",
            "the key attribute 'ts'",
        ),
        (
            "{station: USW00094728, ts: 0, temp",
            "{station: USW00094728, ts: zero, temp",
            "resources.tables[0].items[0].ts",
            "a number (type N)",
        ),
        ("stop: 1h", "stop: 0s", "producers[0].stop", "a stop later than start (0 s)"),
        ("end: 20m", "end: 5m", "faults[0].function_error.end", "an end later than start (600 s)"),
        (
            "probability: 0.5",
            "probability: 1.5",
            "faults[0].function_error.probability",
            "a number from 0 to 1",
        ),
        (
            "function: store-observation\n      start",
            "function: store\n      start",
            "faults[0].function_error.function",
            "the name of a function in functions (store-observation, audit)",
        ),
        (
            "endpoint: alerts-dlq",
            "endpoint: alerts",
            "resources.topics[0].subscriptions[0].endpoint",
            "the name of a queue in resources.queues (alerts-dlq, ordered.fifo)",
        ),
        (
            "by: [station, ts]",
            "by: []",
            "expect[0].duplicates.by",
            "a list of strings with at least 1 item",
        ),
        (
            "project: station",
            "project: 5",
            "expect[4].query.project",
            "an attribute name or a list of attribute names",
        ),
        (
            "rate: 10/s",
            "rate: 10 per second",
            "producers[0].rate",
            "a rate such as 10/s or 100/min",
        ),
        ("batch: 100", "batch: 501", "producers[0].batch", "an integer from 1 to 500"),
        (
            "batch: 100",
            "batch: 100\n    record_ttl: 0s",
            "producers[0].record_ttl",
            "a duration greater than 0 seconds",
        ),
        (
            "maximum_batching_window: 5s",
            "maximum_batching_window: 6m",
            "functions[0].triggers[0].kinesis.maximum_batching_window",
            "a duration from 0 to 300 seconds",
        ),
    ],
)
def test_more_bad_values_in_the_full_example(old, new, key, expected):
    assert old in EXAMPLE
    error = single(EXAMPLE.replace(old, new, 1))
    assert error.key == key
    assert error.expected == expected
    assert error.line is not None


def test_errors_survive_pickling():
    import pickle

    errors = scenario_errors(HEAD + "seed: x\nregion: moon\n")
    both = pickle.loads(pickle.dumps(ScenarioErrors(errors)))
    assert str(both) == str(ScenarioErrors(errors))
    one = pickle.loads(pickle.dumps(errors[0]))
    assert (one.line, one.key, one.expected, one.found) == (5, "seed", "an integer", "'x'")


def test_starting_position_timestamp_in_the_future():
    text = with_function(
        "TRIM_HORIZON",
        "AT_TIMESTAMP\n          starting_position_timestamp: 2031-01-01T00:00:00Z",
    )
    error = single(text)
    assert (error.line, error.key) == (
        15,
        "functions[0].triggers[0].kinesis.starting_position_timestamp",
    )
    assert "no later than clock.start" in error.expected
    assert error.found == "2031-01-01T00:00:00.000Z"


def test_two_triggers_on_one_stream_for_one_function():
    text = with_function() + (
        "      - kinesis:\n          stream: orders\n          starting_position: LATEST\n"
    )
    error = single(text)
    assert (error.line, error.key) == (16, "functions[0].triggers[1].kinesis.stream")
    assert "ResourceConflictException" in error.expected
