"""Wild Rydes: the lab's KDA pump as a Flink SQL job, in event time.

The lab's Kinesis Data Analytics application summed each unicorn's minute by ``ROWTIME``
(arrival time). This job groups the same way but on the record's own ``StatusTime`` (event
time, with a watermark): a 1-minute ``TUMBLE`` per ``Name`` with the total ``Distance`` and the
minimum and maximum ``MagicPoints`` and ``HealthPoints``. ``StatusTime`` of a summary is the
window's *end* in the input's format (``YYYY-MM-DD HH:MM:SS.mmm``), as KDA stamped its rows
with the end of the minute. ``Distance`` stays a DOUBLE (the lab's destination stream declared
it ``SMALLINT``, rounding it). See docs/wildrydes.md and docs/flink.md.

The job only needs a source table with the columns below, ``StatusTime`` a watermarked
``TIMESTAMP(3)``, and a sink table with ``SINK_SCHEMA``: the runner binds both (JSON files in a
simulation; the Kinesis connector on a cluster).
"""

from __future__ import annotations

from typing import Any

NAME = "wildrydes-summary"

# The unicorn producer's record, as Kinesis Data Analytics discovered it.
SOURCE_SCHEMA = {
    "Name": "STRING",
    "StatusTime": "TIMESTAMP(3)",
    "Latitude": "DOUBLE",
    "Longitude": "DOUBLE",
    "Distance": "DOUBLE",
    "MagicPoints": "INT",
    "HealthPoints": "INT",
}
EVENT_TIME_FIELD = "StatusTime"
WATERMARK_DELAY = 5.0  # seconds of out-of-orderness tolerated

SINK_SCHEMA = {
    "Name": "STRING",
    "StatusTime": "STRING",
    "Distance": "DOUBLE",
    "MinMagicPoints": "INT",
    "MaxMagicPoints": "INT",
    "MinHealthPoints": "INT",
    "MaxHealthPoints": "INT",
}
EMIT_TIME_FIELD = "StatusTime"  # the window end: when the summary appears

SQL = """
INSERT INTO {sink}
SELECT
  `Name`,
  DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss.SSS') AS `StatusTime`,
  SUM(`Distance`) AS `Distance`,
  MIN(`MagicPoints`) AS `MinMagicPoints`,
  MAX(`MagicPoints`) AS `MaxMagicPoints`,
  MIN(`HealthPoints`) AS `MinHealthPoints`,
  MAX(`HealthPoints`) AS `MaxHealthPoints`
FROM TABLE(TUMBLE(TABLE {source}, DESCRIPTOR(`StatusTime`), INTERVAL '1' MINUTE))
GROUP BY `Name`, window_start, window_end
"""


def build(t_env: Any, source_table: str, sink_table: str) -> Any:
    """Submit the summary from ``source_table`` into ``sink_table``; returns the TableResult."""
    return t_env.execute_sql(SQL.format(source=source_table, sink=sink_table))
