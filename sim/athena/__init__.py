"""Athena-style SQL over the objects a run stored in S3.

:mod:`sim.athena.ddl` parses ``CREATE EXTERNAL TABLE`` for the JSON SerDes;
:mod:`sim.athena.engine` reads the objects under each table's ``LOCATION`` as those SerDes do
(one record per line: back-to-back JSON objects count once) and runs SELECTs on DuckDB. See
docs/athena.md.
"""

from sim.athena.ddl import Column, DdlError, HiveType, TableDef, parse_ddl
from sim.athena.engine import (
    AthenaError,
    AthenaSession,
    ExportObjects,
    QueryResult,
    S3Objects,
    query_objects,
)

__all__ = [
    "AthenaError",
    "AthenaSession",
    "Column",
    "DdlError",
    "ExportObjects",
    "HiveType",
    "QueryResult",
    "S3Objects",
    "TableDef",
    "parse_ddl",
    "query_objects",
]
