"""Finding a scenario's producer class: a built-in name or ``package.module:Class``.

A built-in name is a module of ``producers/`` defining a :class:`Producer` with that ``name``:

``noaa``
    ``producers.noaa.NoaaProducer``, the NOAA weather lab (params: ``stations``, ``start_date``,
    ``end_date``, ``from_file``, ``datatypes``).
``unicorns``
    ``producers.unicorns.UnicornProducer``, the Wild Rydes lab's fleet: one record per unicorn
    per tick at the default rate of 1/s (params: ``count``, ``start: {lat, lon}``, ``names``).
``openaq``
    ``producers.openaq.OpenAQProducer``, OpenAQ measurements from Belgian cities, one per tick at
    100 a minute (params: ``cities``, ``parameters``, ``spike_probability``,
    ``invalid_fraction``, ``from_file``). See docs/openaq-producer.md.
``clickstream``
    ``producers.clickstream.ClickstreamProducer``, shoppers' events on a web shop, 10 a second
    (params: ``users``, ``heartbeat_fraction``, ``poison_every``). See docs/clickstream.md.
"""

from __future__ import annotations

import importlib
import inspect
import random
from pathlib import Path
from typing import Any

from producers.base import Producer


class ProducerError(Exception):
    """A producer that cannot be found or built from the scenario's parameters."""


def producer_class(kind: str) -> type[Producer]:
    if ":" in kind:
        module_name, _, attribute = kind.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ProducerError(
                f"producer type {kind!r}: cannot import module {module_name!r}: {exc}"
            ) from exc
        cls = getattr(module, attribute, None)
        if not (inspect.isclass(cls) and issubclass(cls, Producer)):
            raise ProducerError(
                f"producer type {kind!r}: {attribute!r} in {module_name!r} is "
                "not a subclass of producers.base.Producer"
            )
        return cls
    try:
        module = importlib.import_module(f"producers.{kind}")
    except ImportError as exc:
        raise ProducerError(
            f"unknown producer type {kind!r} (no module producers.{kind}); "
            f"built-in types: {', '.join(builtin_types())}"
        ) from exc
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if issubclass(cls, Producer) and cls is not Producer and cls.name == kind:
            return cls
    raise ProducerError(f"module producers.{kind} defines no Producer named {kind!r}")


def builtin_types() -> list[str]:
    folder = Path(__file__).resolve().parent.parent / "producers"
    return sorted(
        p.stem for p in folder.glob("*.py") if not p.stem.startswith("_") and p.stem != "base"
    )


def create_producer(
    kind: str, rng: random.Random, params: dict[str, Any], scenario_path: str | Path | None = None
) -> Producer:
    cls = producer_class(kind)
    params = dict(params)
    source = params.get("from_file")
    if isinstance(source, str) and scenario_path is not None and not Path(source).is_absolute():
        beside = Path(scenario_path).resolve().parent / source
        if not Path(source).exists() and beside.exists():
            params["from_file"] = str(beside)
    try:
        return cls(rng, **params)
    except (TypeError, ValueError, OSError) as exc:
        raise ProducerError(f"producer type {kind!r}: {exc}") from exc
