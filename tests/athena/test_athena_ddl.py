"""CREATE EXTERNAL TABLE parsing: the Wild Rydes lab's statement, types, clauses, errors."""

import pytest

from sim.athena import DdlError, parse_ddl
from sim.athena.ddl import HIVE_SERDE, OPENX_SERDE

# The lab's statement (AWS's Wild Rydes data processing workshop, "Store & query data").
LAB_DDL = """CREATE EXTERNAL TABLE IF NOT EXISTS wildrydes (
       Name string,
       StatusTime timestamp,
       Latitude float,
       Longitude float,
       Distance float,
       HealthPoints int,
       MagicPoints int
     )
     ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
     LOCATION 's3://wildrydes-data-johndoe/';"""


def test_the_labs_statement():
    table = parse_ddl(LAB_DDL)
    assert (table.database, table.name, table.if_not_exists) == ("default", "wildrydes", True)
    assert [(c.name, str(c.type)) for c in table.columns] == [
        ("name", "string"),
        ("statustime", "timestamp"),
        ("latitude", "float"),
        ("longitude", "float"),
        ("distance", "float"),
        ("healthpoints", "int"),
        ("magicpoints", "int"),
    ]
    assert table.serde == HIVE_SERDE
    assert (table.bucket, table.prefix) == ("wildrydes-data-johndoe", "")


def test_every_clause_and_nested_types():
    table = parse_ddl(
        """-- a comment
        CREATE EXTERNAL TABLE `lab`.`Rides` (
          `id` bigint COMMENT 'the id',
          price decimal(10,2),
          tags array<string>,
          attrs map<string,int>,
          pos struct<lat:double, lon:double, hist:array<struct<t:timestamp>>>,
          ok boolean, day date, label varchar(16)
        )
        COMMENT 'rides'
        PARTITIONED BY (dt string)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
        WITH SERDEPROPERTIES ('ignore.malformed.json'='true', 'case.insensitive'='TRUE')
        STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
          OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
        LOCATION 's3://my-bucket/rides'
        TBLPROPERTIES ('classification'='json');"""
    )
    assert table.qualified_name == "lab.rides"
    assert table.serde == OPENX_SERDE and table.flag("ignore.malformed.json", False)
    assert table.prefix == "rides/" and [c.name for c in table.partitions] == ["dt"]
    types = {c.name: c.type for c in table.columns}
    assert str(types["pos"]) == "struct<lat:double,lon:double,hist:array<struct<t:timestamp>>>"
    assert types["pos"].duckdb() == (
        'STRUCT("lat" DOUBLE, "lon" DOUBLE, "hist" STRUCT("t" TIMESTAMP)[])'
    )
    assert types["attrs"].duckdb() == "MAP(VARCHAR, INTEGER)"
    assert types["price"].duckdb() == "DECIMAL(10, 2)"
    assert table.table_properties == {"classification": "json"}


@pytest.mark.parametrize(
    "ddl,message",
    [
        (
            "CREATE EXTERNAL TABEL t (a int)",
            "line 1:17: mismatched input 'TABEL'. Expecting: 'TABLE'",
        ),
        ("CREATE TABLE t (a int)", "line 1:8: Only external table creation is supported"),
        ("CREATE EXTERNAL TABLE t (a strin)", "line 1:28: Unknown type 'strin'"),
        (
            "CREATE EXTERNAL TABLE t (a int b int)",
            "line 1:32: mismatched input 'b'. Expecting: ',', ')'",
        ),
        (
            "CREATE EXTERNAL TABLE t (a array<int)",
            "line 1:37: mismatched input ')'. Expecting: '>'",
        ),
        (
            "CREATE EXTERNAL TABLE t (a int, A int)",
            "line 1:33: Column 'a' specified more than once",
        ),
        (
            "CREATE EXTERNAL TABLE t (a int)\nROW FORMAT SERDE 'x.Csv' LOCATION 's3://bkt/'",
            "line 2:18: SerDe 'x.Csv' is not supported here",
        ),
        (
            "CREATE EXTERNAL TABLE t (a int)\n  LOCATION 's3://bkt/'",
            "line 2:3: ROW FORMAT SERDE is missing",
        ),
        (
            "CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
            "line 1:86: mismatched input <EOF>. Expecting: 'STORED', 'LOCATION'",
        ),
        (
            "CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE "
            "'org.openx.data.jsonserde.JsonSerDe' LOCATION '/local/path'",
            "LOCATION must be 's3://bucket/prefix/'",
        ),
        (
            "CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE "
            "'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bkt/' extra",
            "mismatched input 'extra'. Expecting: 'TBLPROPERTIES', <EOF>",
        ),
        ("CREATE EXTERNAL TABLE t (a int) # x", "line 1:33: token recognition error at: '#'"),
    ],
)
def test_errors_say_where_and_what_was_expected(ddl, message):
    with pytest.raises(DdlError) as error:
        parse_ddl(ddl)
    assert message in str(error.value)
