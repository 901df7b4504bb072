"""OpenAQ: the air quality of the last three hours, per city and parameter, every 5 minutes.

The seed's Kinesis Data Analytics application, as a Flink SQL job in event time. It reads the
OpenAQ v2 measurements the ingestion Lambda put on the stream (one JSON object per record)::

    {"locationId": 4879, "location": "Brussels - Molenbeek", "city": "Brussels",
     "country": "BE", "parameter": "pm25", "value": 12.4, "unit": "µg/m³",
     "date": {"utc": "2026-11-02T09:00:00+00:00", "local": "2026-11-02T10:00:00+01:00"},
     "coordinates": {"latitude": 50.8486, "longitude": 4.3317}}

and writes, for every 5-minute step, one row per city and parameter with the average, minimum,
maximum and count of the measurements whose ``date.utc`` lies in the 3 hours before the step::

    {"city": "Brussels", "parameter": "pm25", "window_start": "2026-11-02T09:05:00Z",
     "window_end": "2026-11-02T12:05:00Z", "avg_value": 11.8, "min_value": 3.1,
     "max_value": 20.4, "measurements": 214}

* **Windows.** ``HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '3' HOUR)``,
  grouped by city, parameter, window_start, window_end: the windows are
  ``[window_end - 3 h, window_end)`` with ``window_end`` on every 5-minute boundary (UTC, from
  the epoch), so a measurement counts in 36 windows. A window with no measurement of a city
  and parameter has no row for them. The first windows of a run are *partial*: the window
  ending 5 minutes after the first measurement covers 3 hours, of which only those 5 minutes
  had data (its ``window_start`` is 2 h 55 min before the data begins). Likewise the last
  35 windows, which the end of the data closes, hold less than 3 hours of it.
* **Event time.** ``ts`` is computed from the nested ``date.utc`` (ISO 8601 with its offset,
  ``EVENT_TIME_FROM``); the runner declares it with a watermark ``WATERMARK_DELAY`` (60 s)
  behind the latest ``ts`` read. A window's row is emitted once the watermark passes its end:
  at the first measurement stamped at least ``window_end + 60 s - 1 ms``.
* **Times out.** ``window_start``/``window_end`` are ISO 8601 UTC strings with seconds and a
  ``Z`` (``2026-11-02T12:05:00Z``): they sort as text, which the DynamoDB sort key needs.
* **Invalid measurements** never fail the job. The source skips a record that is not a JSON
  object, and reads a field of the wrong type as NULL (``json.ignore-parse-errors``); a
  ``date.utc`` that is missing or not ISO 8601 gives ``ts`` = 1970-01-01 (the runner's rule,
  docs/flink.md), so the record is behind the watermark. The ``WHERE`` then keeps only a
  measurement with a city, one of the six parameters, a value that is a finite number ≥ 0,
  and a valid ``ts``. The rest are dropped without a trace in the output; the staged replay counts
  records with a bad ``date.utc`` among those behind the watermark. Note that Flink's JSON
  format reads a string holding a number (``"value": "12.4"``) as that number, so such a
  measurement counts (the ingestion Lambda rejects it before it reaches the stream).

Sink: a Kinesis stream (partition key ``city``) read by ``consumers/kinesis_to_dynamodb.py``,
or a DynamoDB table. See docs/openaq-streaming.md and docs/flink.md.
"""

from __future__ import annotations

from typing import Any

NAME = "openaq-aggregate"

# The measurement (docs: /tmp/prompts/measurement.md's shape); nested objects as mappings.
SOURCE_SCHEMA = {
    "locationId": "BIGINT",
    "location": "STRING",
    "city": "STRING",
    "country": "STRING",
    "parameter": "STRING",
    "value": "DOUBLE",
    "unit": "STRING",
    "date": {"utc": "STRING", "local": "STRING"},
    "coordinates": {"latitude": "DOUBLE", "longitude": "DOUBLE"},
}
EVENT_TIME_FIELD = "ts"  # computed: not in the record
EVENT_TIME_FROM = "date.utc"  # ISO 8601 with offset, "2026-11-02T09:00:00+00:00"
WATERMARK_DELAY = 60.0  # seconds of out-of-orderness tolerated
SOURCE_OPTIONS = {
    # A record that is not a JSON object is skipped, a field of the wrong type read as NULL.
    "json.ignore-parse-errors": "true",
    # The tree parser: PyFlink 2.3.0's default streaming parser also nulls the fields after
    # one it could not read (a "value": {...} object lost date.utc, measured).
    "json.decode.json-parser.enabled": "false",
}

SINK_SCHEMA = {
    "city": "STRING",
    "parameter": "STRING",
    "window_start": "STRING",
    "window_end": "STRING",
    "avg_value": "DOUBLE",
    "min_value": "DOUBLE",
    "max_value": "DOUBLE",
    "measurements": "BIGINT",
}
EMIT_TIME_FIELD = "window_end"  # a row appears when its window closes
PARTITION_KEY = "city"  # for a stream sink

PARAMETERS = ("pm25", "pm10", "no2", "o3", "so2", "co")
SLIDE_MINUTES = 5
SIZE_HOURS = 3
ISO_UTC = "yyyy-MM-dd''T''HH:mm:ss''Z''"
MAX_DOUBLE = "1.7976931348623157E308"  # keeps out Infinity (1e400, "Infinity"); NaN fails >= 0

SQL = f"""
INSERT INTO {{sink}}
SELECT
  city,
  `parameter`,
  DATE_FORMAT(window_start, '{ISO_UTC}') AS window_start,
  DATE_FORMAT(window_end, '{ISO_UTC}') AS window_end,
  AVG(`value`) AS avg_value,
  MIN(`value`) AS min_value,
  MAX(`value`) AS max_value,
  COUNT(*) AS measurements
FROM TABLE(
  HOP(TABLE {{source}}, DESCRIPTOR(ts), INTERVAL '{SLIDE_MINUTES}' MINUTE, INTERVAL '{SIZE_HOURS}' HOUR)
)
WHERE city IS NOT NULL
  AND `parameter` IN ({", ".join(f"'{p}'" for p in PARAMETERS)})
  AND `value` >= 0
  AND `value` <= {MAX_DOUBLE}
  AND ts > TIMESTAMP '1970-01-01 00:00:00'
GROUP BY city, `parameter`, window_start, window_end
"""


def build(t_env: Any, source_table: str, sink_table: str) -> Any:
    """Submit the aggregate from ``source_table`` into ``sink_table``; returns the TableResult."""
    return t_env.execute_sql(SQL.format(source=source_table, sink=sink_table))
