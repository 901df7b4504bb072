"""DynamoDB values ↔ plain JSON values, for expectations and export."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_plain(value: Any) -> Any:
    """Decimals become int or float, sets become sorted lists, bytes become text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return value


def to_dynamo_value(value: Any) -> Any:
    """A plain JSON value as boto3's serializer accepts it (floats become Decimals)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: to_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_dynamo_value(v) for v in value]
    return value


def serialize_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(to_dynamo_value(v)) for k, v in item.items()}


def serialize_value(value: Any) -> dict[str, Any]:
    return _serializer.serialize(to_dynamo_value(value))


def deserialize_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: to_plain(_deserializer.deserialize(v)) for k, v in item.items()}


def scan_items(client: Any, table: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of ``table`` (paginated Scan), as plain values."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table, **kwargs):
        items.extend(deserialize_item(i) for i in page["Items"])
    return items
