"""ListStreams: order, paging by ExclusiveStartStreamName and NextToken, summaries."""

from __future__ import annotations


def test_list_streams_pages(kinesis):
    for name in ["c", "a", "b", "d"]:
        kinesis.create_stream(StreamName=name, ShardCount=1)
    first = kinesis.list_streams(Limit=2)
    assert first["StreamNames"] == ["a", "b"]
    assert first["HasMoreStreams"] is True
    assert [s["StreamName"] for s in first["StreamSummaries"]] == ["a", "b"]
    assert first["StreamSummaries"][0]["StreamStatus"] == "ACTIVE"
    assert first["StreamSummaries"][0]["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    second = kinesis.list_streams(NextToken=first["NextToken"])
    assert second["StreamNames"] == ["c", "d"]
    assert second["HasMoreStreams"] is False
    assert "NextToken" not in second
    assert kinesis.list_streams(ExclusiveStartStreamName="b")["StreamNames"] == ["c", "d"]


def test_paginator(kinesis):
    for i in range(5):
        kinesis.create_stream(StreamName=f"s{i}", ShardCount=1)
    pages = kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2})
    assert [n for page in pages for n in page["StreamNames"]] == [f"s{i}" for i in range(5)]


def test_empty(kinesis):
    listed = kinesis.list_streams()
    assert listed["StreamNames"] == [] and listed["HasMoreStreams"] is False
