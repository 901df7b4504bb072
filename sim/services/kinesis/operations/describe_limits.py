"""DescribeLimits: the account's shard quota and on-demand stream quota, and their use."""

from __future__ import annotations

from sim.services.kinesis.backend import Call

INPUT: dict = {}


def run(call: Call, request: dict) -> dict:
    backend = call.backend
    return {
        "ShardLimit": backend.shard_limit,
        "OpenShardCount": backend.open_shard_count(),
        "OnDemandStreamCount": backend.on_demand_stream_count(),
        "OnDemandStreamCountLimit": backend.on_demand_stream_limit,
    }
