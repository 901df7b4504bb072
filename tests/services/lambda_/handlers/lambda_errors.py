"""Handlers that fail in the ways the Python runtime distinguishes."""

import decimal
import sys


def _validate(value):
    if value < 0:
        raise ValueError(f"bad value: {value}")
    return value


def raise_value_error(event, context):
    return _validate(event["value"])


def raise_chained(event, context):
    try:
        {}["missing"]
    except KeyError as e:
        raise RuntimeError("lookup failed") from e


def return_set(event, context):
    return {"items": {1, 2}}


def return_decimal(event, context):
    return {"price": decimal.Decimal("1.10"), "qty": decimal.Decimal("5")}


def return_bytes(event, context):
    return b"\x00raw"


def return_echo(event, context):
    event["mutated"] = True
    return event


def exit_handler(event, context):
    sys.exit(event.get("code", 3))
