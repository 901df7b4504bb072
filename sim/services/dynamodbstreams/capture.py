"""Hooks in moto's DynamoDB that feed streamlab's stream store and Time to Live index.

moto 5.2.5 calls ``table.stream_shard.add(old, new)`` on every item write of a table whose stream
was ever enabled: ``Table.put_item`` (PutItem, BatchWriteItem puts, TransactWriteItems puts,
PartiQL INSERT/UPDATE), ``Table.delete_item`` (DeleteItem, batch and transaction deletes, PartiQL
DELETE) and ``DynamoDBBackend.update_item``. :func:`install` replaces, once per process, a few of
moto's methods with thin wrappers. While a sink is active (:func:`activate`, the embedded
backend's :class:`~sim.services.dynamodbstreams.hub.DynamoDBStreamsHub`) they:

* ``StreamShard.add``: turn each change into a :class:`~.backend.Change` (images serialised at
  once, ``SizeBytes`` computed) and hand it to the sink; a write that changes nothing (equal
  old and new attributes) produces nothing, as AWS documents ("If you perform a PutItem or
  UpdateItem operation that does not change any data in an item, DynamoDB Streams does not
  write a stream record", Streams.html). moto's own list of toy records is not kept.
* ``DynamoDBBackend.update_item``: moto creates a missing item with a key-only ``put_item`` and
  then reports the update too; only the last change of one UpdateItem is kept (one INSERT with
  the whole new image).
* ``DynamoDBBackend.transact_write_items``: changes are held until the transaction succeeds
  and dropped if it is cancelled (moto restores the tables), so a cancelled transaction leaves
  no records, as on AWS where the transaction is atomic.
* ``Table.set_stream_specification``: a stream enabled opens a new stream in the store and sets
  the table's ``latest_stream_label`` to its label (AWS's ``2015-05-11T21:21:33.291`` form),
  so DescribeTable's ``LatestStreamArn`` is the store's ARN; a stream disabled closes it.
  ``StreamEnabled`` without ``StreamViewType`` (or disabling with one) is refused as AWS does.
* ``DynamoDBBackend.update_table_streams``: AWS's ValidationExceptions for enabling a stream on
  a table that has one and disabling one on a table without ("Table already has an enabled
  stream: TableName: T", "Table has no stream to disable: TableName: T", as AWS answers), and
  re-enabling after a disable works (moto refuses it).
* ``DynamoDBBackend.delete_table``: the table's stream closes.
* ``Table.put_item`` / ``update_item`` / ``DynamoDBBackend.update_time_to_live``: keep the TTL
  sweeper's expiry index current (:mod:`.ttl`).

With no sink active every wrapper calls moto's original unchanged. Changes are handed over in
the thread that made the write; :func:`service_deletions` marks the deletions a block makes as
Time to Live's (``userIdentity``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from sim.services.dynamodbstreams import images
from sim.services.dynamodbstreams.backend import Change

NEW_VIEWS = frozenset({"NEW_IMAGE", "NEW_AND_OLD_IMAGES"})
OLD_VIEWS = frozenset({"OLD_IMAGE", "NEW_AND_OLD_IMAGES"})


class Sink(Protocol):
    """What the hooks report to (the embedded backend's hub)."""

    def stream_enabled(self, table: Any) -> str:
        """A stream was enabled on ``table``; returns the new stream's label."""
        ...

    def stream_disabled(self, table: Any) -> None: ...

    def table_deleted(self, table: Any) -> None: ...

    def record(self, account_id: str, region: str, change: Change) -> None: ...

    def item_written(self, table: Any, item: Any) -> None: ...

    def ttl_changed(self, table: Any) -> None: ...


_ACTIVE: Sink | None = None
_local = threading.local()
_install_lock = threading.Lock()
_ORIGINALS: dict[str, Any] = {}


def activate(sink: Sink) -> None:
    """Send moto's writes to ``sink`` (one at a time per process)."""
    global _ACTIVE
    install()
    _ACTIVE = sink


def deactivate(sink: Sink) -> None:
    global _ACTIVE
    if _ACTIVE is sink:
        _ACTIVE = None


def active() -> Sink | None:
    return _ACTIVE


@contextmanager
def service_deletions() -> Iterator[None]:
    """Deletions made inside are Time to Live's: their REMOVE records carry ``userIdentity``."""
    previous = getattr(_local, "service", False)
    _local.service = True
    try:
        yield
    finally:
        _local.service = previous


# -- pending changes: one frame per UpdateItem / TransactWriteItems in progress ---------------
def _frames() -> list[list[tuple[str, str, Change]]]:
    frames = getattr(_local, "frames", None)
    if frames is None:
        frames = _local.frames = []
    return frames


def _emit(sink: Sink, account_id: str, region: str, change: Change) -> None:
    frames = getattr(_local, "frames", None)
    if frames:
        frames[-1].append((account_id, region, change))
    else:
        sink.record(account_id, region, change)


def _release(sink: Sink, changes: list[tuple[str, str, Change]]) -> None:
    """A frame ended well: its changes go to the enclosing frame, or to the sink."""
    frames = _frames()
    if frames:
        frames[-1].extend(changes)
        return
    for account_id, region, change in changes:
        sink.record(account_id, region, change)


# -- the wrappers ---------------------------------------------------------------------------
def _add(self: Any, old: Any, new: Any) -> None:
    sink = _ACTIVE
    if sink is None:
        _ORIGINALS["StreamShard.add"](self, old, new)
        return
    table = self.table
    spec = table.stream_specification
    if not spec or not spec.get("StreamEnabled"):
        return  # moto keeps the shard object after a stream is disabled
    if old is not None and new is not None and old.attrs == new.attrs:
        return  # nothing changed: no stream record
    view = spec["StreamViewType"]
    keys, size = images.keys(table, old if old is not None else new)
    new_image = old_image = None
    if new is not None and view in NEW_VIEWS:
        new_image, image_size = images.image(new)
        size += image_size
    if old is not None and view in OLD_VIEWS:
        old_image, image_size = images.image(old)
        size += image_size
    change = Change(
        table_name=table.name,
        table_arn=table.table_arn,
        label=table.latest_stream_label,
        view_type=view,
        key_schema=table.schema,
        event_name="INSERT" if old is None else ("REMOVE" if new is None else "MODIFY"),
        keys=keys,
        new_image=new_image,
        old_image=old_image,
        size=size,
        service=getattr(_local, "service", False),
    )
    _emit(sink, table.account_id, table.region_name, change)


def _check_stream_specification(streams: dict[str, Any] | None) -> None:
    from moto.dynamodb.exceptions import MockValidationException

    if not streams:
        return
    if streams.get("StreamEnabled") and not streams.get("StreamViewType"):
        raise MockValidationException(
            "One or more parameter values were invalid: If stream is being enabled then "
            "UpdateViewType is required"
        )
    if not streams.get("StreamEnabled") and streams.get("StreamViewType"):
        raise MockValidationException(
            "One or more parameter values were invalid: If stream is being disabled, then "
            "UpdateViewType must not be specified"
        )


def _set_stream_specification(self: Any, streams: dict[str, Any] | None) -> None:
    sink = _ACTIVE
    original = _ORIGINALS["Table.set_stream_specification"]
    if sink is None:
        original(self, streams)
        return
    _check_stream_specification(streams)
    current = self.stream_specification
    was_enabled = bool(current and current.get("StreamEnabled"))
    original(self, streams)
    now_enabled = bool(self.stream_specification and self.stream_specification.get("StreamEnabled"))
    if now_enabled and not was_enabled:
        self.latest_stream_label = sink.stream_enabled(self)
    elif was_enabled and not now_enabled:
        sink.stream_disabled(self)


def _update_table_streams(self: Any, table: Any, stream_specification: dict[str, Any]) -> None:
    sink = _ACTIVE
    if sink is None:
        _ORIGINALS["DynamoDBBackend.update_table_streams"](self, table, stream_specification)
        return
    from moto.dynamodb.exceptions import MockValidationException

    enabled = bool(table.stream_specification and table.stream_specification.get("StreamEnabled"))
    if stream_specification.get("StreamEnabled") and enabled:
        raise MockValidationException(
            f"Table already has an enabled stream: TableName: {table.name}"
        )
    if not stream_specification.get("StreamEnabled") and not enabled:
        raise MockValidationException(f"Table has no stream to disable: TableName: {table.name}")
    table.set_stream_specification(stream_specification)


def _put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
    item = _ORIGINALS["Table.put_item"](self, *args, **kwargs)
    sink = _ACTIVE
    if sink is not None:
        sink.item_written(self, item)
    return item


def _update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
    original = _ORIGINALS["DynamoDBBackend.update_item"]
    sink = _ACTIVE
    if sink is None:
        return original(self, table_name, *args, **kwargs)
    frames = _frames()
    frame: list[tuple[str, str, Change]] = []
    frames.append(frame)
    try:
        item = original(self, table_name, *args, **kwargs)
    finally:
        frames.pop()
    _release(sink, frame[-1:])  # a created item: moto's key-only put, then the update
    sink.item_written(self.get_table(table_name), item)
    return item


def _transact_write_items(self: Any, *args: Any, **kwargs: Any) -> Any:
    original = _ORIGINALS["DynamoDBBackend.transact_write_items"]
    sink = _ACTIVE
    if sink is None:
        return original(self, *args, **kwargs)
    frames = _frames()
    frame: list[tuple[str, str, Change]] = []
    frames.append(frame)
    try:
        result = original(self, *args, **kwargs)
    finally:
        frames.pop()
    _release(sink, frame)  # only when the whole transaction succeeded
    return result


def _delete_table(self: Any, name: str) -> Any:
    table = _ORIGINALS["DynamoDBBackend.delete_table"](self, name)
    sink = _ACTIVE
    if sink is not None:
        sink.table_deleted(table)
    return table


def _update_time_to_live(self: Any, table_name: str, ttl_spec: dict[str, Any]) -> Any:
    result = _ORIGINALS["DynamoDBBackend.update_time_to_live"](self, table_name, ttl_spec)
    sink = _ACTIVE
    if sink is not None:
        sink.ttl_changed(self.get_table(table_name))
    return result


def install() -> None:
    """Put the wrappers in place of moto's methods (idempotent)."""
    with _install_lock:
        if _ORIGINALS:
            return
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import StreamShard, Table

        replacements = (
            (StreamShard, "add", _add),
            (Table, "set_stream_specification", _set_stream_specification),
            (Table, "put_item", _put_item),
            (DynamoDBBackend, "update_item", _update_item),
            (DynamoDBBackend, "transact_write_items", _transact_write_items),
            (DynamoDBBackend, "delete_table", _delete_table),
            (DynamoDBBackend, "update_table_streams", _update_table_streams),
            (DynamoDBBackend, "update_time_to_live", _update_time_to_live),
        )
        for owner, name, wrapper in replacements:
            _ORIGINALS[f"{owner.__name__}.{name}"] = getattr(owner, name)
            setattr(owner, name, wrapper)


def moto_table(account_id: str, region: str, table_name: str) -> Any:
    """moto's table of that name (None if there is none)."""
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[account_id][region].tables.get(table_name)
