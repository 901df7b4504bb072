"""ListStreams: stream names in order, with summaries, a page at a time.

At most 100 per call whatever ``Limit`` says (API_ListStreams.html); ``NextToken`` continues
after the last name returned, as ``ExclusiveStartStreamName`` does.
"""

from __future__ import annotations

from bisect import bisect_right

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import InvalidArgumentException
from sim.services.kinesis.operations import EpochSeconds
from sim.services.kinesis.tokens import decode_next_token, encode_next_token
from sim.services.kinesis.validation import Field, stream_name

INPUT = {
    "Limit": Field("Integer", ge=1, le=10_000),
    "ExclusiveStartStreamName": stream_name(),
    "NextToken": Field("String", min_len=1, max_len=1_048_576),
}

_TOKEN_KIND = "ListStreams"


def run(call: Call, request: dict) -> dict:
    names = call.backend.stream_names()
    after = request.get("ExclusiveStartStreamName")
    token = request.get("NextToken")
    if token is not None:
        fields = decode_next_token(_TOKEN_KIND, token)
        if fields is None:
            raise InvalidArgumentException(f"Invalid NextToken: {token}")
        after = fields[0]
    if after is not None:
        names = names[bisect_right(names, after) :]
    limit = min(
        request.get("Limit", limits.LIST_STREAMS_DEFAULT_LIMIT), limits.LIST_STREAMS_MAX_RETURNED
    )
    page = names[:limit]
    more = len(names) > limit
    summaries = []
    for name in page:
        stream = call.backend.lookup(name)
        summaries.append(
            {
                "StreamName": stream.name,
                "StreamARN": stream.arn,
                "StreamStatus": stream.status,
                "StreamModeDetails": {"StreamMode": stream.mode},
                "StreamCreationTimestamp": EpochSeconds(int(stream.created_at)),
            }
        )
    out: dict = {"StreamNames": page, "HasMoreStreams": more, "StreamSummaries": summaries}
    if more:
        out["NextToken"] = encode_next_token(_TOKEN_KIND, [page[-1]])
    return out
