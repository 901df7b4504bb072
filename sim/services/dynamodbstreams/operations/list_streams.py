"""ListStreams: the streams of the account in this region (of one table, if named), by ARN.

Disabled streams are listed until their records pass the 24-hour retention. At most ``Limit``
(default and maximum 100) per call; ``LastEvaluatedStreamArn`` continues the listing, as
``ExclusiveStartStreamArn``. A ``TableName`` naming no table is ResourceNotFoundException
(DynamoDB's "Requested resource not found: Table: T not found"; the API lists the error for
this operation, the wording is DescribeTable's).
"""

from __future__ import annotations

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.backend import Call
from sim.services.dynamodbstreams.exceptions import table_not_found
from sim.services.dynamodbstreams.operations._common import limit, stream_arn
from sim.services.dynamodbstreams.validation import Field

INPUT = {
    "TableName": Field(
        "String",
        min_len=limits.TABLE_NAME_MIN_LENGTH,
        max_len=limits.TABLE_NAME_MAX_LENGTH,
        pattern=limits.TABLE_NAME_PATTERN,
    ),
    "Limit": limit(limits.LIST_STREAMS_MAX_STREAMS),
    "ExclusiveStartStreamArn": stream_arn(),
}


def run(call: Call, request: dict) -> dict:
    backend = call.backend
    table_name = request.get("TableName")
    streams = backend.streams(table_name)
    if table_name is not None and not streams and not backend.table_exists(table_name):
        raise table_not_found(table_name)
    after = request.get("ExclusiveStartStreamArn")
    if after is not None:
        streams = [stream for stream in streams if stream.arn > after]
    count = request.get("Limit", limits.LIST_STREAMS_MAX_STREAMS)
    page = streams[:count]
    out: dict = {
        "Streams": [
            {"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label} for s in page
        ]
    }
    if len(streams) > count:
        out["LastEvaluatedStreamArn"] = page[-1].arn
    return out
