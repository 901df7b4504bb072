"""PyFlink jobs. Each job module exposes a function that builds its pipeline from a source and a
sink the runner binds (bounded replay in event time, a live bridge, or the Kinesis connector), so
the same file runs in a simulation, live, and on a Flink cluster. The first jobs arrive with the
Wild Rydes and OpenAQ pipelines."""
