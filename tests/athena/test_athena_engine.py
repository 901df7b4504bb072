"""The JSON SerDe's reading rule and queries, over an export directory and over moto's S3."""

import gzip
import json

import pytest

from sim.athena import AthenaError, AthenaSession, ExportObjects, S3Objects

RECORDS = [
    {
        "Name": "Shadowfax",
        "StatusTime": f"2021-11-01 09:00:0{i}.250",
        "Distance": 30.5 + i,
        "MagicPoints": 150 + i,
        "HealthPoints": 149,
    }
    for i in range(3)
]
TABLE = """CREATE EXTERNAL TABLE rides (
  name string, statustime timestamp, distance float, magicpoints int, healthpoints int
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' {props}
LOCATION 's3://rides-data/{prefix}'"""


def concatenated(records):
    return "".join(json.dumps(r) for r in records).encode()


def delimited(records):
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def export_dir(tmp_path, objects):
    for key, body in objects.items():
        path = tmp_path / "s3" / "rides-data" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return ExportObjects(tmp_path)


def table(prefix="", props=""):
    return TABLE.format(prefix=prefix, props=props)


def count(source, ddl, sql="SELECT COUNT(*) FROM rides"):
    with AthenaSession(source, [ddl]) as session:
        return session.query(sql).values()


def test_concatenated_json_counts_one_row_per_object(tmp_path):
    source = export_dir(
        tmp_path,
        {
            "2021/11/01/09/a": concatenated(RECORDS),
            "2021/11/01/09/b": concatenated(RECORDS[:2]),
        },
    )
    assert count(source, table()) == 2
    with AthenaSession(source, [table()]) as session:  # and each row is the object's first record
        rows = session.query("SELECT name, statustime, magicpoints FROM rides").rows
    assert (
        rows
        == [{"name": "Shadowfax", "statustime": "2021-11-01 09:00:00.250", "magicpoints": 150}] * 2
    )


def test_newline_delimited_and_gzipped_objects_count_every_record(tmp_path):
    source = export_dir(
        tmp_path,
        {
            "2021/11/01/09/a": delimited(RECORDS),
            "2021/11/01/10/b.gz": gzip.compress(delimited(RECORDS)),
            "2021/11/01/10/c": delimited(RECORDS).replace(b"\n", b"\r\n") + b"\n\n",
            "_SUCCESS": b"not json",  # hidden files are skipped
            "2021/.hidden": b"not json",
        },
    )
    assert count(source, table()) == 9
    assert count(source, table("2021/11/01/10/")) == 6
    assert count(source, table(), "SELECT SUM(magicpoints) FROM default.rides") == 3 * 453


def test_keys_match_case_insensitively_missing_keys_are_null_values_are_converted(tmp_path):
    lines = [
        {"NAME": "a", "Distance": "12.5", "MagicPoints": "7", "extra": 1},
        {"name": 5, "distance": 1, "magicpoints": 3.0},
        {"name": {"nested": True}},
    ]
    source = export_dir(tmp_path, {"x": delimited(lines)})
    with AthenaSession(source, [table()]) as session:
        rows = session.query("SELECT name, distance, magicpoints, statustime FROM rides").rows
    assert rows == [
        {"name": "a", "distance": 12.5, "magicpoints": 7, "statustime": None},
        {"name": "5", "distance": 1.0, "magicpoints": 3, "statustime": None},
        {"name": '{"nested":true}', "distance": None, "magicpoints": None, "statustime": None},
    ]


def test_bad_values_and_malformed_lines_fail_as_athena_says(tmp_path):
    source = export_dir(tmp_path, {"x": b'{"magicpoints": "many"}\n'})
    with pytest.raises(AthenaError) as error:
        count(source, table())
    assert str(error.value).startswith(
        "HIVE_BAD_DATA: Error parsing field value 'many' for field 3"
    )
    source = export_dir(tmp_path, {"x": b'{"name": "a"}\n{"name": \n'})
    with pytest.raises(AthenaError) as error:
        count(source, table())
    assert str(error.value).startswith("HIVE_CURSOR_ERROR: Row is not a valid JSON Object")
    assert "line 2" in str(error.value)
    ignoring = table(props="WITH SERDEPROPERTIES ('ignore.malformed.json'='true')")
    assert count(source, ignoring, "SELECT COUNT(*), COUNT(name) FROM rides") == [
        {"_col0": 2, "_col1": 1}
    ]


def test_partitions_from_key_segments_and_mapping(tmp_path):
    ddl = """CREATE EXTERNAL TABLE rides (who string, n int)
      PARTITIONED BY (dt string)
      ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
      WITH SERDEPROPERTIES ('mapping.who'='Name')
      LOCATION 's3://rides-data/'"""
    source = export_dir(
        tmp_path, {"dt=2021-11-01/a": b'{"Name":"x","n":1}\n', "dt=2021-11-02/b": b'{"n":2}\n'}
    )
    sql = "SELECT dt, who, n FROM rides ORDER BY dt"
    assert count(source, ddl, sql) == [
        {"dt": "2021-11-01", "who": "x", "n": 1},
        {"dt": "2021-11-02", "who": None, "n": 2},
    ]


def test_athena_error_names(tmp_path):
    source = export_dir(tmp_path, {"x": delimited(RECORDS)})
    cases = {
        "SELECT * FROM nope": "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.nope' "
        "does not exist",
        "SELECT\n  bogus FROM rides": "COLUMN_NOT_FOUND: line 2:3: Column 'bogus' cannot be "
        "resolved",
        "SELECT nofn(1) FROM rides": "FUNCTION_NOT_FOUND: line 1:8: Function 'nofn'",
        "SELEC 1": "SYNTAX_ERROR: line 1:1:",
        "SELECT 1; SELECT 2": "INVALID_INPUT: Only one sql statement is allowed.",
        "DROP TABLE rides": "NOT_SUPPORTED:",
    }
    with AthenaSession(source, [table()]) as session:
        for sql, message in cases.items():
            with pytest.raises(AthenaError) as error:
                session.query(sql)
            assert str(error.value).startswith(message), sql
        with pytest.raises(AthenaError, match="AlreadyExistsException"):
            session.execute(table())
        session.execute(table().replace("TABLE rides", "TABLE IF NOT EXISTS rides"))
    with pytest.raises(AthenaError, match="NoSuchBucket"):
        count(ExportObjects(tmp_path / "empty"), table())


def test_presto_spellings(tmp_path):
    source = export_dir(tmp_path, {"x": delimited(RECORDS)})
    sql = (
        "SELECT approx_distinct(name) AS names, cardinality(array[1, 2]) AS two, "
        "to_unixtime(min(statustime)) AS t, from_unixtime(0) AS epoch "
        "FROM awsdatacatalog.default.rides WHERE name = 'default.x' OR true"
    )
    assert count(source, table(), sql) == [
        {"names": 1, "two": 2, "t": 1635757200.25, "epoch": "1970-01-01 00:00:00.000"}
    ]


def test_query_over_the_embedded_backends_s3(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="rides-data")
    s3.put_object(Bucket="rides-data", Key="a/1", Body=concatenated(RECORDS))
    s3.put_object(Bucket="rides-data", Key="a/2", Body=b'{"name": "x"}\n{broken\n')
    s3.put_object(Bucket="rides-data", Key="a/3.gz", Body=gzip.compress(delimited(RECORDS)))
    s3.put_object(Bucket="rides-data", Key="b/ignored", Body=b"{}")
    ddl = table("a/", "WITH SERDEPROPERTIES ('ignore.malformed.json'='true')")
    assert count(S3Objects(s3), ddl, "SELECT COUNT(*), COUNT(name) FROM rides") == [
        {"_col0": 6, "_col1": 5}
    ]
    with pytest.raises(AthenaError, match="NoSuchBucket"):
        count(S3Objects(s3), table().replace("rides-data", "no-such-bucket"))
