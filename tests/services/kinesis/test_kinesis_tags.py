"""Tags: Add/Remove/ListTagsForStream and TagResource/UntagResource/ListTagsForResource."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"


def test_add_list_remove(kinesis, stream):
    kinesis.add_tags_to_stream(StreamName=stream, Tags={"b": "2", "a": "1", "c": ""})
    kinesis.add_tags_to_stream(StreamName=stream, Tags={"a": "one"})
    listed = kinesis.list_tags_for_stream(StreamName=stream)
    assert listed["Tags"] == [
        {"Key": "a", "Value": "one"},
        {"Key": "b", "Value": "2"},
        {"Key": "c", "Value": ""},
    ]
    assert listed["HasMoreTags"] is False
    page = kinesis.list_tags_for_stream(StreamName=stream, Limit=1, ExclusiveStartTagKey="a")
    assert page["Tags"] == [{"Key": "b", "Value": "2"}] and page["HasMoreTags"] is True
    kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["a", "missing"])
    assert [t["Key"] for t in kinesis.list_tags_for_stream(StreamName=stream)["Tags"]] == ["b", "c"]


def test_resource_variants(kinesis, stream):
    kinesis.tag_resource(ResourceARN=ARN, Tags={"team": "data"})
    assert kinesis.list_tags_for_resource(ResourceARN=ARN)["Tags"] == [
        {"Key": "team", "Value": "data"}
    ]
    kinesis.untag_resource(ResourceARN=ARN, TagKeys=["team"])
    assert kinesis.list_tags_for_resource(ResourceARN=ARN)["Tags"] == []


def test_invalid_characters(kinesis, stream, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.add_tags_to_stream(StreamName=stream, Tags={"a": "b;c"})
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Some tags contain invalid characters. Valid characters: "
        "Unicode letters, digits, white space, _ . / = + - % @.",
    )
    with pytest.raises(ClientError) as excinfo:
        kinesis.add_tags_to_stream(StreamName=stream, Tags={"a": "50%"})
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        f"Failed to add tags to stream {stream} under account {ACCOUNT} because some tags "
        "contained illegal characters. The allowed characters are Unicode letters, "
        "white-spaces, '_',',','/','=','+','-','@'.",
    )


def test_at_most_50_tags(kinesis, stream, helpers):
    kinesis.add_tags_to_stream(StreamName=stream, Tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as excinfo:
        kinesis.add_tags_to_stream(StreamName=stream, Tags={"one-more": "v"})
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        f"Failed to add tags to stream {stream} under account {ACCOUNT} because a given "
        "stream cannot have more than 50 tags associated with it.",
    )


def test_tag_validation(kinesis, stream, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=[])
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '[]' at 'tagKeys' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        ),
    )
    with pytest.raises(ClientError) as excinfo:
        kinesis.add_tags_to_stream(StreamName=stream, Tags={"k" * 129: "v"})
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            f"Value '{{{'k' * 129}=v}}' at 'tags' failed to satisfy constraint: Map keys must "
            "satisfy constraint: [Member must have length less than or equal to 128, "
            "Member must have length greater than or equal to 1]"
        ),
    )


def test_missing_stream(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.list_tags_for_stream(StreamName="nope")
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Stream nope under account {ACCOUNT} not found.",
    )
