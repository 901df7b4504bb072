"""Event source mapping FilterCriteria (sim.services.esm.filtering): validation and matching.

Records are AWS's own event records: the SAM CLI sample events in ``tests/data/sam_events``
(see its README), with the field under test changed. Where a case comes from AWS's documentation
or from a behaviour recorded against AWS, the comment says where.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sim.errors import AwsError, ValidationException
from sim.services.esm.filtering import (
    FILTER_PATTERN_MAX_LENGTH,
    INVALID_FILTER_PATTERN,
    MAX_FILTERS,
    FilterPatternTooLongException,
    InvalidFilterCriteriaException,
    RecordFilter,
    parse_filter_criteria,
)
from sim.services.lambda_ import InvalidParameterValueException

SAM_EVENTS = Path(__file__).resolve().parents[2] / "data" / "sam_events"


def _sample_record(name: str) -> dict[str, Any]:
    return json.loads((SAM_EVENTS / f"{name}.json").read_text())["Records"][0]


KINESIS_RECORD = _sample_record("kinesis-get-records")
SQS_RECORD = _sample_record("sqs-receive-message")
DDB_RECORD = _sample_record("dynamodb-update")


def criteria(*patterns: Any) -> dict[str, Any]:
    """FilterCriteria with one filter per pattern (a dict is dumped to JSON, a str kept)."""
    return {"Filters": [{"Pattern": p if isinstance(p, str) else json.dumps(p)} for p in patterns]}


def compile_(source: str, *patterns: Any) -> RecordFilter:
    record_filter = parse_filter_criteria(criteria(*patterns), source=source)
    assert record_filter is not None
    return record_filter


def kinesis_record(data: Any) -> dict[str, Any]:
    """The SAM Kinesis record with ``data`` (bytes as they are, anything else as JSON)."""
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    record = copy.deepcopy(KINESIS_RECORD)
    record["kinesis"]["data"] = base64.b64encode(raw).decode()
    return record


def sqs_record(body: Any, **changes: Any) -> dict[str, Any]:
    """The SAM SQS record with ``body`` (a str as it is, anything else as JSON)."""
    record = copy.deepcopy(SQS_RECORD)
    record["body"] = body if isinstance(body, str) else json.dumps(body)
    record.update(changes)
    return record


def ddb_record(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(DDB_RECORD)
    for key, value in changes.items():
        if key in record["dynamodb"] or key in ("NewImage", "OldImage", "Keys"):
            record["dynamodb"][key] = value
        else:
            record[key] = value
    return record


def body_matches(rules: Any, obj: Any) -> bool:
    """Does ``{"body": rules}`` match an SQS record whose body is ``obj`` as JSON?"""
    return compile_("sqs", {"body": rules}).matches(sqs_record(obj))


def refused(source: str, *patterns: Any) -> InvalidFilterCriteriaException:
    with pytest.raises(InvalidFilterCriteriaException) as caught:
        parse_filter_criteria(criteria(*patterns), source=source)
    return caught.value


# -- no filters -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, {}, {"Filters": []}, {"Filters": None}])
def test_no_filters_means_no_filtering(value):
    # "To remove filter criteria ... run UpdateEventSourceMapping with an empty FilterCriteria
    # object" (invocation-eventfiltering.html).
    for source in ("kinesis", "dynamodb", "sqs"):
        assert parse_filter_criteria(value, source=source) is None


def test_parsed_filters_keep_their_order_and_text():
    record_filter = compile_("sqs", {"body": {"a": [1]}}, '{"body": {"b": [2]}}')
    assert [f.index for f in record_filter.filters] == [0, 1]
    assert record_filter.filters[1].pattern == '{"body": {"b": [2]}}'
    assert record_filter.source == "sqs"


# -- every comparison operator of Lambda's table, positive and negative ----------------------
# Operators and their rule syntax: invocation-eventfiltering.html, "Filter rule syntax".


def test_null():
    # "UserID is null": "UserID": [ null ]
    assert body_matches({"UserID": [None]}, {"UserID": None})
    assert not body_matches({"UserID": [None]}, {"UserID": "null"})
    assert not body_matches({"UserID": [None]}, {"Other": 1})  # a missing key is not null


def test_empty():
    # "LastName is empty": "LastName": [""]
    assert body_matches({"LastName": [""]}, {"LastName": ""})
    assert not body_matches({"LastName": [""]}, {"LastName": "Smith"})
    assert not body_matches({"LastName": [""]}, {"LastName": None})


def test_equals_strings_are_exact():
    # "Name is Alice": "Name": [ "Alice" ]; exact character-by-character, no case folding.
    assert body_matches({"Name": ["Alice"]}, {"Name": "Alice"})
    assert not body_matches({"Name": ["Alice"]}, {"Name": "alice"})
    assert not body_matches({"Name": ["Alice"]}, {"Name": "Alice "})


def test_equals_numbers_by_their_json_text():
    # "For numbers, Lambda also uses string representation. For example, 300, 300.0, and 3.0e2
    # are not considered equal." (invocation-eventfiltering.html, note under the table)
    rule = {"Price": [300]}
    assert body_matches(rule, {"Price": 300})
    for text in ("300.0", "3.0e2", '"300"'):
        record = sqs_record('{"Price": ' + text + "}")
        assert not compile_("sqs", {"body": rule}).matches(record), text
    floats = compile_("sqs", '{"body": {"Price": [3.0e2]}}')
    assert floats.matches(sqs_record('{"Price": 3.0e2}'))
    assert not floats.matches(sqs_record('{"Price": 300.0}'))


def test_equals_booleans():
    assert body_matches({"Paid": [True]}, {"Paid": True})
    assert not body_matches({"Paid": [True]}, {"Paid": "true"})
    assert not body_matches({"Paid": [False]}, {"Paid": 0})


def test_equals_ignore_case():
    # "Name is Alice": "Name": [ { "equals-ignore-case": "alice" } ]
    rule = {"Name": [{"equals-ignore-case": "alice"}]}
    assert body_matches(rule, {"Name": "ALICE"})
    assert body_matches(rule, {"Name": "Alice"})
    assert not body_matches(rule, {"Name": "Alicia"})
    assert not body_matches(rule, {"Name": ["x", 1]})


def test_and_across_keys():
    # "Location is New York and Day is Monday": "Location": [ "New York" ], "Day": ["Monday"]
    rule = {"Location": ["New York"], "Day": ["Monday"]}
    assert body_matches(rule, {"Location": "New York", "Day": "Monday"})
    assert not body_matches(rule, {"Location": "New York", "Day": "Tuesday"})
    assert not body_matches(rule, {"Location": "New York"})


def test_or_across_values():
    # "PaymentType is Credit or Debit": "PaymentType": [ "Credit", "Debit"]
    rule = {"PaymentType": ["Credit", "Debit"]}
    assert body_matches(rule, {"PaymentType": "Debit"})
    assert not body_matches(rule, {"PaymentType": "Cash"})


def test_or_across_fields():
    # "Location is New York, or Day is Monday":
    # "$or": [ { "Location": [ "New York" ] }, { "Day": [ "Monday" ] } ]
    rule = {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}
    assert body_matches(rule, {"Location": "New York", "Day": "Sunday"})
    assert body_matches(rule, {"Location": "Paris", "Day": "Monday"})
    assert not body_matches(rule, {"Location": "Paris", "Day": "Sunday"})


def test_or_nested_and_combined_with_other_keys():
    rule = {
        "kind": ["order"],
        "detail": {"$or": [{"count": [{"numeric": [">", 5]}]}, {"vip": [True]}]},
    }
    assert body_matches(rule, {"kind": "order", "detail": {"count": 9}})
    assert body_matches(rule, {"kind": "order", "detail": {"count": 1, "vip": True}})
    assert not body_matches(rule, {"kind": "order", "detail": {"count": 1}})
    assert not body_matches(rule, {"kind": "refund", "detail": {"count": 9}})


def test_anything_but():
    # "Weather is anything but Raining": "Weather": [ { "anything-but": [ "Raining" ] } ]
    rule = {"Weather": [{"anything-but": ["Raining"]}]}
    assert body_matches(rule, {"Weather": "Sunny"})
    assert not body_matches(rule, {"Weather": "Raining"})
    # A missing key is not "anything"; a null value is (EventBridge rules, recorded against AWS:
    # LocalStack's event_pattern_templates content_anything_but_string_missing_NEG / ..._null).
    assert not body_matches(rule, {"Other": "Sunny"})
    assert body_matches(rule, {"Weather": None})


def test_anything_but_single_value_and_numbers():
    assert body_matches({"state": [{"anything-but": "initializing"}]}, {"state": "running"})
    assert not body_matches(
        {"state": [{"anything-but": "initializing"}]}, {"state": "initializing"}
    )
    numbers = {"x-limit": [{"anything-but": [100, 200, 300]}]}
    assert body_matches(numbers, {"x-limit": 999})
    assert not body_matches(numbers, {"x-limit": 300})
    assert body_matches(numbers, {"x-limit": "300"})  # a string is not the number 300


def test_numeric_equals():
    # "Price is 100": "Price": [ { "numeric": [ "=", 100 ] } ]
    rule = {"Price": [{"numeric": ["=", 100]}]}
    assert body_matches(rule, {"Price": 100})
    assert body_matches(rule, {"Price": 100.0})  # numeric compares values, not text
    assert not body_matches(rule, {"Price": 100.5})
    assert not body_matches(rule, {"Price": "100"})


def test_numeric_range():
    # "Price is more than 10, and less than or equal to 20": [ ">", 10, "<=", 20 ]
    rule = {"Price": [{"numeric": [">", 10, "<=", 20]}]}
    assert body_matches(rule, {"Price": 20})
    assert body_matches(rule, {"Price": 10.01})
    assert not body_matches(rule, {"Price": 10})
    assert not body_matches(rule, {"Price": 20.5})
    assert not body_matches(rule, {"Price": True})
    assert not body_matches(rule, {"Price": None})


@pytest.mark.parametrize(
    "op, bound, inside, outside",
    [("<", 5, 4.9, 5), ("<=", 5, 5, 5.1), (">", 5, 6, 5), (">=", 5, 5, 4.9), ("=", 5, 5, 6)],
)
def test_numeric_each_operator(op, bound, inside, outside):
    rule = {"n": [{"numeric": [op, bound]}]}
    assert body_matches(rule, {"n": inside})
    assert not body_matches(rule, {"n": outside})


def test_exists_and_does_not_exist():
    # "ProductName": [ { "exists": true } ] / [ { "exists": false } ]
    assert body_matches({"ProductName": [{"exists": True}]}, {"ProductName": "x"})
    assert body_matches({"ProductName": [{"exists": True}]}, {"ProductName": None})
    assert not body_matches({"ProductName": [{"exists": True}]}, {"Other": "x"})
    assert body_matches({"ProductName": [{"exists": False}]}, {"Other": "x"})
    assert not body_matches({"ProductName": [{"exists": False}]}, {"ProductName": ""})


def test_exists_sees_leaf_values_only():
    # An object or an empty array holds no value (EventBridge rules recorded against AWS:
    # LocalStack's templates exists_dynamodb_NEG and exists_list_empty_NEG).
    assert not body_matches({"a": [{"exists": True}]}, {"a": {"b": 1}})
    assert body_matches({"a": [{"exists": False}]}, {"a": {"b": 1}})
    assert not body_matches({"a": [{"exists": True}]}, {"a": []})
    assert body_matches({"a": [{"exists": True}]}, {"a": [None]})


def test_begins_with():
    # "Region is in the US": "Region": [ {"prefix": "us-" } ]
    assert body_matches({"Region": [{"prefix": "us-"}]}, {"Region": "us-east-1"})
    assert not body_matches({"Region": [{"prefix": "us-"}]}, {"Region": "eu-west-1"})
    assert not body_matches({"Region": [{"prefix": "1"}]}, {"Region": 12})
    assert body_matches({"Region": [{"prefix": ""}]}, {"Region": "anything"})


def test_ends_with():
    # "FileName ends with a .png extension": "FileName": [ { "suffix": ".png" } ]
    assert body_matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.png"})
    assert not body_matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.PNG"})
    assert not body_matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.png.gz"})


def test_rules_in_one_list_are_ored():
    rule = {"status": ["done", {"prefix": "err"}, {"numeric": [">=", 500]}]}
    for value in ("done", "error-42", 503):
        assert body_matches(rule, {"status": value}), value
    assert not body_matches(rule, {"status": 404})


# -- nested keys and arrays in the record ------------------------------------------------------


def test_nested_keys():
    rule = {"order": {"customer": {"tier": ["gold"]}}}
    assert body_matches(rule, {"order": {"customer": {"tier": "gold", "id": 7}}})
    assert not body_matches(rule, {"order": {"customer": {"tier": "silver"}}})
    assert not body_matches(rule, {"order": {"tier": "gold"}})
    assert not body_matches(rule, {"order": {"customer": "gold"}})


def test_keys_are_case_sensitive():
    assert not body_matches({"MY_KEY": ["v"]}, {"my_key": "v"})


def test_arrays_in_the_record_match_if_any_element_matches():
    assert body_matches({"tags": ["urgent"]}, {"tags": ["slow", "urgent"]})
    assert not body_matches({"tags": ["urgent"]}, {"tags": ["slow", "later"]})
    assert body_matches({"pressure": [{"numeric": ["<", 32]}]}, {"pressure": [41, 40, 31, 41]})
    assert not body_matches({"pressure": [{"numeric": ["<", 32]}]}, {"pressure": [41, 40]})
    assert body_matches({"m": ["x"]}, {"m": [["y", ["x"]]]})  # nested arrays are flattened


def test_arrays_of_objects_are_walked():
    # EventBridge's list_within_dict template (recorded against AWS): a key inside objects of an
    # array is found in any element.
    rule = {"automations": {"id": [{"exists": True}]}}
    assert body_matches(rule, {"automations": [{"key1": "v"}, {"id": "x"}, {"key2": "v"}]})
    assert not body_matches(rule, {"automations": [{"key1": "v"}]})


def test_duplicate_keys_the_last_one_wins():
    # invocation-eventfiltering.html, "Duplicate keys": Lambda uses only the last value.
    pattern = (
        '{"body": {"duplicateKey": ["hello"], "uniqueKey": ["test123"], "duplicateKey": ["world"]}}'
    )
    record_filter = compile_("sqs", pattern)
    assert record_filter.matches(sqs_record({"duplicateKey": "world", "uniqueKey": "test123"}))
    assert not record_filter.matches(sqs_record({"duplicateKey": "hello", "uniqueKey": "test123"}))


# -- filters are ORed ------------------------------------------------------------------------


def test_filters_are_ored():
    record_filter = compile_("sqs", {"body": {"kind": ["a"]}}, {"body": {"kind": ["b"]}})
    assert record_filter.matches(sqs_record({"kind": "a"}))
    assert record_filter.matches(sqs_record({"kind": "b"}))
    assert not record_filter.matches(sqs_record({"kind": "c"}))


def test_an_empty_pattern_matches_every_record():
    record_filter = compile_("sqs", {})
    assert record_filter.matches(sqs_record("plain"))
    assert record_filter.matches(sqs_record({"a": 1}))


# -- Kinesis: the pattern sees the decoded data ---------------------------------------------


def test_kinesis_docs_example_record():
    # with-kinesis-filtering.html: AWS's example record, data = base64 of
    # {"RecordNumber": "0001", "TimeStamp": "yyyy-mm-ddThh:mm:ss", "RequestCode": "AAAA"}.
    record = copy.deepcopy(KINESIS_RECORD)
    record["kinesis"]["data"] = (
        "eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1"
        "ZXN0Q29kZSI6ICJBQUFBIn0="
    )
    assert compile_("kinesis", {"data": {"RequestCode": ["AAAA"]}}).matches(record)
    assert not compile_("kinesis", {"data": {"RequestCode": ["BBBB"]}}).matches(record)
    assert compile_("kinesis", {"data": {"RecordNumber": [{"prefix": "00"}]}}).matches(record)


def test_kinesis_docs_numeric_example():
    # invocation-eventfiltering.html, "Temperature ... greater than 50 but less than or equal to
    # 60": { "data": { "Temperature": [ {"numeric": [ ">", 50, "<=", 60 ] } ] } }
    record_filter = compile_(
        "kinesis", {"data": {"Temperature": [{"numeric": [">", 50, "<=", 60]}]}}
    )
    assert record_filter.matches(kinesis_record({"City": "Seattle", "Temperature": 55}))
    assert record_filter.matches(kinesis_record({"Temperature": 60}))
    assert not record_filter.matches(kinesis_record({"Temperature": 50}))
    assert not record_filter.matches(kinesis_record({"Temperature": "55"}))


def test_kinesis_data_that_is_not_json_is_dropped_by_a_data_pattern():
    # "Non-JSON incoming data / Valid JSON filter pattern: Lambda drops the record."
    # (invocation-eventfiltering.html, "Properly filtering Kinesis and DynamoDB messages")
    not_json = kinesis_record(b"Hello, this is a test 123.")
    assert not compile_("kinesis", {"data": {"x": [{"exists": False}]}}).matches(not_json)
    assert not compile_("kinesis", {"data": {}}).matches(not_json)
    assert compile_("kinesis", {"data": {}}).matches(kinesis_record({"any": "json"}))
    assert not compile_("kinesis", {"data": {}}).matches(kinesis_record(b"\xff\xfe not utf-8"))


def test_kinesis_data_that_is_not_json_passes_a_pattern_without_data():
    # "Non-JSON / No filter pattern for data properties: Lambda filters (on the other metadata
    # properties only)". Kinesis exposes no metadata to filters ("Kinesis event source mappings
    # only support filtering on the data key", with-kinesis-filtering.html), so only a rule that
    # holds for an absent key can match.
    not_json = kinesis_record(b"plain text")
    assert compile_("kinesis", {"partitionKey": [{"exists": False}]}).matches(not_json)
    assert not compile_("kinesis", {"partitionKey": [{"exists": True}]}).matches(not_json)


def test_kinesis_filters_only_on_the_data_key():
    # with-kinesis-filtering.html: "Kinesis event source mappings only support filtering on the
    # data key." The older general example on invocation-eventfiltering.html combines
    # partitionKey with data; under that rule its partitionKey part cannot match.
    record = kinesis_record({"Location": "Los Angeles"})
    assert record["kinesis"]["partitionKey"] == "partitionKey-03"
    assert not compile_("kinesis", {"partitionKey": ["partitionKey-03"]}).matches(record)
    assert not compile_("kinesis", {"kinesis": {"partitionKey": ["partitionKey-03"]}}).matches(
        record
    )
    assert not compile_("kinesis", {"eventSource": ["aws:kinesis"]}).matches(record)
    doc_example = {"partitionKey": ["partitionKey-03"], "data": {"Location": ["Los Angeles"]}}
    assert not compile_("kinesis", doc_example).matches(record)
    assert compile_("kinesis", {"data": {"Location": ["Los Angeles"]}}).matches(record)


def test_kinesis_data_is_decoded_only_when_a_pattern_names_it():
    broken = copy.deepcopy(KINESIS_RECORD)
    broken["kinesis"]["data"] = "%%% not base64 %%%"
    assert compile_("kinesis", {"other": [{"exists": False}]}).matches(broken)
    assert not compile_("kinesis", {"data": {"a": [{"exists": False}]}}).matches(broken)


def test_kinesis_plain_string_pattern_for_data_is_refused():
    # "Valid JSON / Non-JSON filter pattern: Lambda throws an exception at the time of the event
    # source mapping creation" (invocation-eventfiltering.html).
    error = refused("kinesis", {"data": ["Hello"]})
    assert error.message == INVALID_FILTER_PATTERN
    assert "JSON pattern" in error.reason and error.filter_index == 0


def test_kinesis_records_from_streamlabs_mapping(lab):
    # Records exactly as streamlab's Kinesis mapping hands them to a function.
    lab.create_stream()
    lab.mapping()
    lab.put(
        json.dumps({"type": "order", "total": 12.5}),
        json.dumps({"type": "refund", "total": 3}),
        "not json at all",
        json.dumps({"type": "order", "total": 99}),
        at=0.5,
    )
    lab.run(2)
    records = [record for event in lab.events() for record in event["Records"]]
    assert len(records) == 4
    record_filter = compile_(
        "kinesis", {"data": {"type": ["order"], "total": [{"numeric": ["<", 50]}]}}
    )
    kept = [base64.b64decode(r["kinesis"]["data"]) for r in records if record_filter.matches(r)]
    assert kept == [json.dumps({"type": "order", "total": 12.5}).encode()]


# -- SQS: body as JSON or as a plain string --------------------------------------------------
# invocation-eventfiltering.html, "Properly filtering Amazon SQS messages" (the table).


def test_sqs_json_body_json_pattern_filters():
    record_filter = compile_("sqs", {"body": {"RequestCode": ["BBBB"]}})
    assert record_filter.matches(sqs_record({"RecordNumber": 1234, "RequestCode": "BBBB"}))
    assert not record_filter.matches(sqs_record({"RecordNumber": 1234, "RequestCode": "AAAA"}))


def test_sqs_plain_body_plain_pattern_filters():
    # SAM's sample body is the plain string "Hello from SQS!".
    assert compile_("sqs", {"body": ["Hello from SQS!"]}).matches(SQS_RECORD)
    assert compile_("sqs", {"body": [{"prefix": "Hello"}]}).matches(SQS_RECORD)
    assert not compile_("sqs", {"body": [{"suffix": "?"}]}).matches(SQS_RECORD)


def test_sqs_plain_body_json_pattern_drops():
    assert not compile_("sqs", {"body": {"a": [{"exists": False}]}}).matches(SQS_RECORD)
    assert not compile_("sqs", {"body": {}}).matches(SQS_RECORD)


def test_sqs_json_body_plain_pattern_drops():
    body = '{"greeting": "Hello"}'
    assert not compile_("sqs", {"body": [body]}).matches(sqs_record(body))
    assert not compile_("sqs", {"body": [{"prefix": "{"}]}).matches(sqs_record(body))
    assert not compile_("sqs", {"body": [{"exists": True}]}).matches(sqs_record(body))
    assert not compile_("sqs", {"body": ["123"]}).matches(sqs_record("123"))  # 123 is JSON


def test_sqs_without_a_body_pattern_filters_on_metadata_whatever_the_body():
    # "No filter pattern for data properties: Lambda filters (on the other metadata properties
    # only)", for a plain-string and a JSON body alike.
    record_filter = compile_("sqs", {"attributes": {"ApproximateReceiveCount": ["1"]}})
    assert record_filter.matches(sqs_record("plain"))
    assert record_filter.matches(sqs_record({"json": True}))
    second_try = sqs_record(
        "plain", attributes={**SQS_RECORD["attributes"], "ApproximateReceiveCount": "2"}
    )
    assert not record_filter.matches(second_try)


def test_sqs_message_attributes():
    attributes = {
        "type": {
            "stringValue": "order",
            "dataType": "String",
            "stringListValues": [],
            "binaryListValues": [],
        }
    }
    record = sqs_record({"a": 1}, messageAttributes=attributes)
    assert compile_("sqs", {"messageAttributes": {"type": {"stringValue": ["order"]}}}).matches(
        record
    )
    assert not compile_(
        "sqs", {"messageAttributes": {"type": {"stringValue": ["refund"]}}}
    ).matches(record)


def test_sqs_or_between_json_and_plain_body_alternatives():
    record_filter = compile_("sqs", {"$or": [{"body": {"kind": ["a"]}}, {"body": ["ping"]}]})
    assert record_filter.matches(sqs_record({"kind": "a"}))
    assert record_filter.matches(sqs_record("ping"))
    assert not record_filter.matches(sqs_record({"kind": "b"}))
    assert not record_filter.matches(sqs_record("pong"))


# -- DynamoDB Streams: the record with typed images ------------------------------------------


def test_dynamodb_docs_multi_level_example():
    # invocation-eventfiltering.html, "Multi-level filtering": { "dynamodb": { "Keys": { "Id":
    # { "N": [ "101" ] } } } }. SAM's sample record carries that very dynamodb object.
    record_filter = compile_("dynamodb", {"dynamodb": {"Keys": {"Id": {"N": ["101"]}}}})
    assert record_filter.matches(DDB_RECORD)
    assert not record_filter.matches(ddb_record(Keys={"Id": {"N": "102"}}))


def test_dynamodb_event_name_and_new_image():
    record_filter = compile_(
        "dynamodb",
        {
            "eventName": ["INSERT", "MODIFY"],
            "dynamodb": {"NewImage": {"Message": {"S": [{"prefix": "New"}]}}},
        },
    )
    assert record_filter.matches(DDB_RECORD)
    assert not record_filter.matches(ddb_record(eventName="REMOVE"))
    assert not record_filter.matches(ddb_record(NewImage={"Message": {"S": "Old item"}}))


def test_dynamodb_typed_values():
    # Recorded against AWS (LocalStack's test_lambda_integration_dynamodbstreams.py,
    # test_dynamodb_event_filter): omitting the type ("S") does not match; exists on the typed
    # value does; exists: false on an attribute object matches (an object is not a value).
    record = ddb_record(NewImage={"id": {"S": "id_value_1"}, "presentKey": {"S": "presentValue"}})
    assert compile_(
        "dynamodb", {"dynamodb": {"NewImage": {"presentKey": {"S": ["presentValue"]}}}}
    ).matches(record)
    assert not compile_(
        "dynamodb", {"dynamodb": {"NewImage": {"presentKey": ["presentValue"]}}}
    ).matches(record)
    assert compile_(
        "dynamodb", {"dynamodb": {"NewImage": {"presentKey": {"S": [{"exists": True}]}}}}
    ).matches(record)
    assert not compile_(
        "dynamodb", {"dynamodb": {"NewImage": {"presentKey": [{"exists": True}]}}}
    ).matches(record)
    assert compile_(
        "dynamodb", {"dynamodb": {"NewImage": {"presentKey": [{"exists": False}]}}}
    ).matches(record)


def test_dynamodb_numbers_are_strings_to_numeric():
    # Same AWS-recorded test ("numeric_filter"): N values are strings, so numeric never matches
    # them; anything-but compares the string. ApproximateCreationDateTime is a number.
    rule = {
        "dynamodb": {
            "NewImage": {"numericFilter": {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}}
        }
    }
    record_filter = compile_("dynamodb", rule)
    assert record_filter.matches(ddb_record(NewImage={"numericFilter": {"N": "42"}}))
    assert not record_filter.matches(ddb_record(NewImage={"numericFilter": {"N": "101"}}))
    created = compile_(
        "dynamodb", {"dynamodb": {"ApproximateCreationDateTime": [{"numeric": [">", 0]}]}}
    )
    assert created.matches(DDB_RECORD)


def test_dynamodb_plain_string_pattern_for_data_is_refused():
    error = refused("dynamodb", {"dynamodb": ["x"]})
    assert error.message == INVALID_FILTER_PATTERN and error.filter_index == 0


# -- validation: what CreateEventSourceMapping refuses -----------------------------------------


@pytest.mark.parametrize(
    "pattern",
    # Recorded from AWS (LocalStack's AWS-validated test_sqs_invalid_event_filter and
    # test_dynamodb_invalid_event_filter): each answered InvalidParameterValueException,
    # "Invalid filter pattern definition."
    [
        "null",
        "simple string",
        '{"eventSource": "aws:sqs"}',
        '{"eventSource": []}',
        '[{"eventName": ["INSERT"=123}]',
    ],
)
def test_patterns_aws_refused(pattern):
    error = refused("sqs", pattern)
    assert isinstance(error, InvalidParameterValueException) and isinstance(error, AwsError)
    assert error.code == "InvalidParameterValueException" and error.status == 400
    assert error.message == INVALID_FILTER_PATTERN
    assert error.to_dict() == {
        "__type": "InvalidParameterValueException",
        "message": INVALID_FILTER_PATTERN,
    }


@pytest.mark.parametrize(
    "pattern, reason",
    [
        ("", "Filter is not valid JSON"),
        ("{", "Filter is not valid JSON"),
        ('{"a": [NaN]}', "Filter is not valid JSON"),
        ("[1]", "Filter is not an object (it is an array)"),
        ('"x"', "Filter is not an object (it is a string)"),
        ("42", "Filter is not an object (it is a number)"),
        ('{"a": "x"}', '"a" must be an object or an array'),
        ('{"a": {"b": 1}}', '"a.b" must be an object or an array'),
        ('{"a": []}', '"a": Empty arrays are not allowed'),
        ('{"a": [[1]]}', '"a": Match value must be String, number, true, false, or null'),
        (
            '{"a": [{"prefix": "x", "suffix": "y"}]}',
            '"a": Only one key allowed in match expression',
        ),
        ('{"a": [{}]}', '"a": Only one key allowed in match expression'),
        ('{"a": [{"contains": "x"}]}', '"a": Unrecognized match type contains'),
        ('{"a": [{"PREFIX": "x"}]}', '"a": Unrecognized match type PREFIX'),
        ('{"a": [{"wildcard": "*.png"}]}', "wildcard is an EventBridge operator that Lambda"),
        ('{"a": [{"cidr": "10.0.0.0/24"}]}', "cidr is an EventBridge operator that Lambda"),
        ('{"a": [{"prefix": 1}]}', '"a": prefix match pattern must be a string'),
        ('{"a": [{"suffix": [".png"]}]}', '"a": suffix match pattern must be a string'),
        (
            '{"a": [{"equals-ignore-case": ["x"]}]}',
            "equals-ignore-case match pattern must be a string",
        ),
        (
            '{"a": [{"prefix": {"equals-ignore-case": "x"}}]}',
            "prefix with 'equals-ignore-case' is not supported",
        ),
        (
            '{"a": [{"anything-but": {"prefix": "us-"}}]}',
            "anything-but with 'prefix' is not supported",
        ),
        (
            '{"a": [{"anything-but": null}]}',
            "Value of anything-but must be an array or single string/number",
        ),
        (
            '{"a": [{"anything-but": true}]}',
            "Value of anything-but must be an array or single string/number",
        ),
        ('{"a": [{"anything-but": []}]}', "anything-but: Empty arrays are not allowed"),
        (
            '{"a": [{"anything-but": ["x", null]}]}',
            "Inside anything but list, start|null|boolean is not supported.",
        ),
        ('{"a": [{"exists": "true"}]}', "exists match pattern must be either true or false."),
        ('{"a": [{"numeric": 10}]}', "Value of numeric must be an array."),
        ('{"a": [{"numeric": []}]}', "Invalid member in numeric match: ]"),
        ('{"a": [{"numeric": [5, ">"]}]}', "Invalid member in numeric match: 5"),
        ('{"a": [{"numeric": ["!=", 5]}]}', "Unrecognized numeric range operator: !="),
        ('{"a": [{"numeric": [">", "5"]}]}', "Value of > must be numeric"),
        ('{"a": [{"numeric": ["=", true]}]}', "Value of equals must be numeric"),
        ('{"a": [{"numeric": [">", 0, "<"]}]}', "Value of < must be numeric"),
        ('{"a": [{"numeric": ["=", 5, "<", 9]}]}', "Too many elements in numeric expression"),
        ('{"a": [{"numeric": ["<", 5, ">", 1]}]}', "Too many elements in numeric expression"),
        ('{"a": [{"numeric": [">", 0, ">", 0]}]}', "Bad numeric range operator: >"),
        ('{"a": [{"numeric": [">", 0, 5]}]}', "Bad value in numeric range: 5"),
        ('{"a": [{"numeric": [">", 5, "<", 5]}]}', "Bottom must be less than top"),
        (
            '{"a": [{"numeric": [">", 0, "<", 5, "<", 9]}]}',
            "Too many terms in numeric range expression",
        ),
        ('{"$or": {"a": [1]}}', '"$or" must be a non-empty array of objects'),
        ('{"$or": []}', '"$or" must be a non-empty array of objects'),
        ('{"a": {"$or": [{"b": [1]}, 2]}}', '"a.$or" must be a non-empty array of objects'),
    ],
)
def test_invalid_patterns_say_what_is_wrong(pattern, reason):
    error = refused("sqs", pattern)
    assert error.message == INVALID_FILTER_PATTERN
    assert reason in error.reason
    assert error.filter_index == 0
    assert str(error).startswith(
        "InvalidParameterValueException: Invalid filter pattern definition. "
        "(FilterCriteria.Filters[0].Pattern: "
    )
    assert reason in str(error)


def test_the_faulty_filter_is_named():
    error = refused("sqs", {"body": {"a": [1]}}, {"body": {"a": [2]}}, {"body": {"a": "3"}})
    assert error.filter_index == 2
    assert "FilterCriteria.Filters[2].Pattern" in str(error)


@pytest.mark.parametrize(
    "entry, reason",
    [
        ({}, "the filter has no Pattern"),
        ({"Pattern": None}, "the filter has no Pattern"),
        ({"Pattern": {"body": {"a": [1]}}}, "Pattern must be a string holding JSON, not dict"),
        ({"Pattern": "{}", "Name": "x"}, "a filter takes only Pattern, not Name"),
        ("{}", "a filter must be an object"),
    ],
)
def test_malformed_filter_entries(entry, reason):
    with pytest.raises(InvalidFilterCriteriaException) as caught:
        parse_filter_criteria({"Filters": [entry]}, source="sqs")
    assert reason in caught.value.reason and caught.value.filter_index == 0


@pytest.mark.parametrize(
    "value, reason",
    [
        ("Filters", "FilterCriteria must be an object with a Filters list"),
        ({"Filters": "{}"}, "Filters must be a list"),
        ({"Filters": [], "Patterns": []}, "FilterCriteria has unknown keys Patterns"),
    ],
)
def test_malformed_filter_criteria(value, reason):
    with pytest.raises(InvalidFilterCriteriaException) as caught:
        parse_filter_criteria(value, source="sqs")
    assert reason in caught.value.reason and caught.value.filter_index is None


def test_pattern_length_limit():
    # Filter.Pattern: maximum length 4096 (API_Filter; botocore's lambda model).
    def pattern_of_length(length: int) -> str:
        head, tail = '{"body": {"k": ["', '"]}}'
        return head + "x" * (length - len(head) - len(tail)) + tail

    exactly = pattern_of_length(FILTER_PATTERN_MAX_LENGTH)
    assert len(exactly) == 4096
    assert parse_filter_criteria(criteria(exactly), source="sqs") is not None
    too_long = pattern_of_length(FILTER_PATTERN_MAX_LENGTH + 1)
    with pytest.raises(FilterPatternTooLongException) as caught:
        parse_filter_criteria(criteria("{}", too_long), source="sqs")
    error = caught.value
    assert isinstance(error, ValidationException) and error.code == "ValidationException"
    assert error.message == (
        f"1 validation error detected: Value '{too_long}' at 'filterCriteria.filters.2.member."
        "pattern' failed to satisfy constraint: Member must have length less than or equal to 4096"
    )
    assert error.filter_index == 1
    assert str(error) == (
        "ValidationException: FilterCriteria.Filters[1].Pattern: the pattern has 4097 "
        "characters; at most 4096"
    )


def test_filter_count_quota():
    # "By default, you can define up to five different filters ... you can request a quota
    # increase for up to 10 filters" (invocation-eventfiltering.html).
    five = criteria(*({"body": {"n": [i]}} for i in range(MAX_FILTERS)))
    assert len(parse_filter_criteria(five, source="sqs").filters) == 5
    six = criteria(*({"body": {"n": [i]}} for i in range(6)))
    with pytest.raises(InvalidFilterCriteriaException) as caught:
        parse_filter_criteria(six, source="sqs")
    assert caught.value.code == "InvalidParameterValueException"
    assert caught.value.message == (
        "The FilterCriteria has 6 filters; the limit is 5 (5 by default, up to 10 after a quota increase)."
    )
    assert caught.value.filter_index == 5
    assert len(parse_filter_criteria(six, source="sqs", max_filters=10).filters) == 6
    eleven = criteria(*({"body": {"n": [i]}} for i in range(11)))
    with pytest.raises(InvalidFilterCriteriaException, match="has 11 filters; the limit is 10"):
        parse_filter_criteria(eleven, source="sqs", max_filters=10)
    with pytest.raises(ValueError, match="max_filters must be 1..10"):
        parse_filter_criteria(five, source="sqs", max_filters=11)


def test_or_alternatives_are_bounded():
    # Ten two-way $or at the same level of nesting would expand to 1024 alternatives; eleven
    # exceed streamlab's bound.
    def nested(depth: int) -> dict[str, Any]:
        pattern: dict[str, Any] = {}
        node = pattern
        for level in range(depth):
            node["$or"] = [{f"a{level}": [1]}, {f"b{level}": [1]}]
            node[f"n{level}"] = {}
            node = node[f"n{level}"]
        return pattern

    assert len(compile_("sqs", nested(10)).filters[0].alternatives) == 1024
    error = refused("sqs", nested(11))
    assert "more than 1024 $or alternatives" in error.reason


def test_unknown_source_is_a_programming_error():
    with pytest.raises(ValueError, match="source must be one of kinesis, dynamodb, sqs"):
        parse_filter_criteria(None, source="kafka")
