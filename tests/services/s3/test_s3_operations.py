"""S3 REST requests → the permissions they need (S3 User Guide, "Required permissions for
Amazon S3 API operations"), as botocore sends them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from sim.backends.embedded.intercept import Request
from sim.services.s3 import checks_for_request
from sim.services.s3.requests import s3_target

REGION = "eu-west-1"


def sent(operation: str, **params) -> Request:
    """The request botocore sends for ``operation`` (captured before it leaves)."""
    client = boto3.client(
        "s3", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s"
    )
    captured: list[Request] = []

    def capture(request, **_):
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        captured.append(Request(request.method, request.url, request.headers, body or b""))
        raise _Captured

    client.meta.events.register_first("before-send.s3", capture)
    with pytest.raises(_Captured):
        getattr(client, operation)(**params)
    return captured[0]


class _Captured(Exception):
    pass


def checks(request: Request) -> list[tuple[str, str, str, dict]]:
    target = s3_target(request)
    assert target is not None
    bucket, key = target
    query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
    found = checks_for_request(request.method, bucket, key, query, request.header, request.body)
    for check in found:  # botocore signs every S3 request's payload hash; not compared here
        assert "s3:x-amz-content-sha256" in check.context
    return [(c.operation, c.action, c.resource, _without_hash(c.context)) for c in found]


def _without_hash(context: dict) -> dict:
    return {k: v for k, v in context.items() if k != "s3:x-amz-content-sha256"}


def test_object_reads_and_versions():
    assert checks(sent("get_object", Bucket="b", Key="a/k.json")) == [
        ("GetObject", "s3:GetObject", "arn:aws:s3:::b/a/k.json", {})
    ]
    [(operation, action, resource, context)] = checks(
        sent("head_object", Bucket="b", Key="k", VersionId="v1")
    )
    assert (operation, action, context) == (
        "HeadObject",
        "s3:GetObjectVersion",
        {"s3:VersionId": "v1"},
    )


def test_writes_carry_their_condition_headers():
    [(operation, action, resource, context)] = checks(
        sent(
            "put_object",
            Bucket="b",
            Key="k",
            Body=b"x",
            ACL="bucket-owner-full-control",
            ServerSideEncryption="AES256",
        )
    )
    assert (operation, action, resource) == ("PutObject", "s3:PutObject", "arn:aws:s3:::b/k")
    assert context["s3:x-amz-acl"] == "bucket-owner-full-control"
    assert context["s3:x-amz-server-side-encryption"] == "AES256"


def test_copy_needs_the_source_too():
    assert [c[:3] for c in checks(
        sent("copy_object", Bucket="b", Key="new", CopySource={"Bucket": "src", "Key": "a b"})
    )] == [
        ("CopyObject (source)", "s3:GetObject", "arn:aws:s3:::src/a b"),
        ("CopyObject", "s3:PutObject", "arn:aws:s3:::b/new"),
    ]  # fmt: skip


def test_lists_and_their_keys():
    [(operation, action, resource, context)] = checks(
        sent("list_objects_v2", Bucket="b", Prefix="2021/", Delimiter="/", MaxKeys=5)
    )
    assert (operation, action, resource) == ("ListObjectsV2", "s3:ListBucket", "arn:aws:s3:::b")
    assert context == {"s3:prefix": "2021/", "s3:delimiter": "/", "s3:max-keys": "5"}
    assert checks(sent("list_object_versions", Bucket="b"))[0][:2] == (
        "ListObjectVersions",
        "s3:ListBucketVersions",
    )
    assert checks(sent("head_bucket", Bucket="b"))[0][:2] == ("HeadBucket", "s3:ListBucket")


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("get_bucket_policy", {}, ("GetBucketPolicy", "s3:GetBucketPolicy")),
        ("put_bucket_policy", {"Policy": "{}"}, ("PutBucketPolicy", "s3:PutBucketPolicy")),
        ("delete_bucket_policy", {}, ("DeleteBucketPolicy", "s3:DeleteBucketPolicy")),
        ("get_bucket_location", {}, ("GetBucketLocation", "s3:GetBucketLocation")),
        ("get_bucket_acl", {}, ("GetBucketAcl", "s3:GetBucketAcl")),
        ("delete_bucket_tagging", {}, ("DeleteBucketTagging", "s3:PutBucketTagging")),
        ("delete_bucket", {}, ("DeleteBucket", "s3:DeleteBucket")),
        (
            "get_public_access_block",
            {},
            ("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
        ),
    ],
)
def test_bucket_subresources(operation, params, expected):
    assert checks(sent(operation, Bucket="b", **params))[0][:2] == expected


def test_object_subresources_and_multipart():
    assert checks(sent("get_object_acl", Bucket="b", Key="k"))[0][1] == "s3:GetObjectAcl"
    assert (
        checks(sent("put_object_tagging", Bucket="b", Key="k", Tagging={"TagSet": []}))[0][1]
        == "s3:PutObjectTagging"
    )
    assert checks(sent("create_multipart_upload", Bucket="b", Key="k"))[0][:2] == (
        "CreateMultipartUpload",
        "s3:PutObject",
    )
    assert checks(sent("upload_part", Bucket="b", Key="k", UploadId="u", PartNumber=1, Body=b""))[
        0
    ][:2] == ("UploadPart", "s3:PutObject")
    assert checks(sent("abort_multipart_upload", Bucket="b", Key="k", UploadId="u"))[0][:2] == (
        "AbortMultipartUpload",
        "s3:AbortMultipartUpload",
    )
    assert checks(sent("list_parts", Bucket="b", Key="k", UploadId="u"))[0][1] == (
        "s3:ListMultipartUploadParts"
    )


def test_delete_objects_needs_delete_per_key():
    request = sent(
        "delete_objects",
        Bucket="b",
        Delete={"Objects": [{"Key": "one"}, {"Key": "two", "VersionId": "v2"}]},
    )
    assert checks(request) == [
        ("DeleteObjects", "s3:DeleteObject", "arn:aws:s3:::b/one", {}),
        ("DeleteObjects", "s3:DeleteObjectVersion", "arn:aws:s3:::b/two", {"s3:VersionId": "v2"}),
    ]


def test_create_bucket_needs_nothing_here_and_unknown_requests_need_everything():
    assert checks(sent("create_bucket", Bucket="b")) == []
    [check] = checks_for_request("PATCH", "b", None, {"weird": [""]}, lambda name: None)
    assert (check.action, check.resource) == ("s3:*", "arn:aws:s3:::b")


def test_targets_of_unsigned_requests_to_the_endpoint():
    def unsigned(url: str, headers: dict | None = None) -> Request:
        return Request("GET", url, headers or {}, b"")

    assert s3_target(unsigned("http://127.0.0.1:4566/bkt/a/b.json")) == ("bkt", "a/b.json")
    assert s3_target(unsigned("http://127.0.0.1:4566/bkt")) == ("bkt", None)
    assert s3_target(unsigned("http://bkt.s3.localhost.localstack.cloud:4566/k")) == ("bkt", "k")
    assert s3_target(unsigned("https://bkt.s3.eu-west-1.amazonaws.com/k")) == ("bkt", "k")
    assert s3_target(unsigned("http://127.0.0.1:4566/moto-api/reset")) is None
    assert s3_target(unsigned("http://127.0.0.1:4566/", {"X-Amz-Target": "X.Y"})) is None


def test_requests_of_other_services_are_not_s3(stubbed_sqs_request):
    assert s3_target(stubbed_sqs_request) is None


@pytest.fixture
def stubbed_sqs_request() -> Request:
    client = boto3.client(
        "sqs", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s"
    )
    captured: list[Request] = []

    def capture(request, **_):
        captured.append(Request(request.method, request.url, request.headers, request.body))
        raise _Captured

    client.meta.events.register_first("before-send.sqs", capture)
    with pytest.raises(_Captured):
        client.list_queues()
    return captured[0]
