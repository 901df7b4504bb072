"""A Lambda handler standing in for Firehose in the Athena scenario: each Kinesis batch becomes
two S3 objects, one as Firehose writes records by default (back to back, no delimiter) and one
with a newline after each record (the fix), gzipped."""

import base64
import gzip
import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    records = event["Records"]
    datas = [base64.b64decode(r["kinesis"]["data"]).rstrip(b"\n") for r in records]
    name = records[0]["kinesis"]["sequenceNumber"]
    bucket = os.environ["BUCKET"]
    s3.put_object(Bucket=bucket, Key=f"concatenated/{name}", Body=b"".join(datas))
    delimited = gzip.compress(b"".join(d + b"\n" for d in datas), mtime=0)
    s3.put_object(Bucket=bucket, Key=f"delimited/{name}.gz", Body=delimited)
    return {"objects": 2, "records": len(datas)}
