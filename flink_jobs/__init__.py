"""PyFlink jobs. Each job module builds its pipeline from a source and a sink the runner binds
(bounded replay in event time, a live bridge, or the Kinesis connector), so the same file runs
in a simulation, live, and on a Flink cluster.

The contract (see docs/flink.md), a module with:

``build(t_env, source_table, sink_table)``
    Issues the job against the two table names the runner registered in ``t_env`` (a
    ``TableEnvironment``) and returns what it submitted: the ``TableResult`` of its
    ``INSERT INTO {sink_table} …`` (``t_env.execute_sql(...)``), a ``StatementSet``, or a
    ``Table`` for the runner to insert into the sink. It may register functions (Python UDFs)
    first. It must not create its own connectors: the runner owns the source and the sink.
``SOURCE_SCHEMA``
    ``{column: Flink SQL type}`` of the source records (JSON objects); a nested object is a
    mapping of its fields (declared as ``ROW<…>``).
``EVENT_TIME_FIELD``
    The source column, ``TIMESTAMP(3)``, that carries event time; the runner declares
    ``WATERMARK FOR it AS it - INTERVAL 'WATERMARK_DELAY' SECOND``.
``EVENT_TIME_FROM`` (optional)
    A dotted path to an ISO 8601 string with an offset (``date.utc``): the runner then
    computes ``EVENT_TIME_FIELD`` from it (UTC), instead of reading it from the record.
``SOURCE_OPTIONS`` (optional)
    Extra options of the source's JSON format (``json.ignore-parse-errors``, …).
``WATERMARK_DELAY``
    Seconds of out-of-orderness tolerated (default 5).
``SINK_SCHEMA``
    ``{column: Flink SQL type}`` of the rows the job writes.
``EMIT_TIME_FIELD``
    The sink column holding the time at which a row is emitted in the simulation (a window
    end, ``YYYY-MM-DD HH:MM:SS.mmm``).
``NAME`` (optional)
    The job's name in errors and in Flink (default: the module's name).

Jobs: :mod:`flink_jobs.wildrydes_summary` (the Wild Rydes lab's per-minute summary),
:mod:`flink_jobs.openaq_aggregate` (the OpenAQ 3-hour aggregate every 5 minutes).
"""
