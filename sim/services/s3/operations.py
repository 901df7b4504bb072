"""An S3 REST request → the actions it needs, on which resources, with which S3 condition keys.

S3's API is REST: the operation is the method, whether the path names an object, and the
subresource in the query string (``?acl``, ``?tagging``, ``?uploads`` …). The permission each
operation needs is the S3 User Guide's "Required permissions for Amazon S3 API operations"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html) and
the Service Authorization Reference for S3
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
``GetObject`` (and ``HeadObject``) need ``s3:GetObject`` (``s3:GetObjectVersion`` with a
``versionId``), the multipart operations ``s3:PutObject``, ``ListObjects``/``ListObjectsV2``/
``HeadBucket`` ``s3:ListBucket``, ``CopyObject`` ``s3:GetObject`` on the source and
``s3:PutObject`` on the target, ``DeleteObjects`` ``s3:DeleteObject`` per key, and so on.

A request this module does not recognise needs the action ``s3:*`` itself (only a statement
granting ``s3:*`` or ``*`` covers it); ``CreateBucket`` on an existing name needs nothing here
(S3 answers ``BucketAlreadyExists`` whoever asks).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

UNMAPPED_ACTION = "s3:*"

# (method, subresource) of an object request → (operation, action, action with versionId).
_OBJECT = {
    ("GET", ""): ("GetObject", "s3:GetObject", "s3:GetObjectVersion"),
    ("HEAD", ""): ("HeadObject", "s3:GetObject", "s3:GetObjectVersion"),
    ("PUT", ""): ("PutObject", "s3:PutObject", "s3:PutObject"),
    ("DELETE", ""): ("DeleteObject", "s3:DeleteObject", "s3:DeleteObjectVersion"),
    ("GET", "acl"): ("GetObjectAcl", "s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    ("PUT", "acl"): ("PutObjectAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    ("GET", "tagging"): ("GetObjectTagging", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    ("PUT", "tagging"): ("PutObjectTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    ("DELETE", "tagging"): (
        "DeleteObjectTagging",
        "s3:DeleteObjectTagging",
        "s3:DeleteObjectVersionTagging",
    ),
    ("GET", "attributes"): (
        "GetObjectAttributes",
        "s3:GetObjectAttributes",
        "s3:GetObjectVersionAttributes",
    ),
    ("GET", "retention"): ("GetObjectRetention", "s3:GetObjectRetention", "s3:GetObjectRetention"),
    ("PUT", "retention"): ("PutObjectRetention", "s3:PutObjectRetention", "s3:PutObjectRetention"),
    ("GET", "legal-hold"): (
        "GetObjectLegalHold",
        "s3:GetObjectLegalHold",
        "s3:GetObjectLegalHold",
    ),
    ("PUT", "legal-hold"): (
        "PutObjectLegalHold",
        "s3:PutObjectLegalHold",
        "s3:PutObjectLegalHold",
    ),
    ("POST", "uploads"): ("CreateMultipartUpload", "s3:PutObject", "s3:PutObject"),
    ("PUT", "uploadId"): ("UploadPart", "s3:PutObject", "s3:PutObject"),
    ("POST", "uploadId"): ("CompleteMultipartUpload", "s3:PutObject", "s3:PutObject"),
    ("DELETE", "uploadId"): (
        "AbortMultipartUpload",
        "s3:AbortMultipartUpload",
        "s3:AbortMultipartUpload",
    ),
    ("GET", "uploadId"): (
        "ListParts",
        "s3:ListMultipartUploadParts",
        "s3:ListMultipartUploadParts",
    ),
    ("POST", "restore"): ("RestoreObject", "s3:RestoreObject", "s3:RestoreObject"),
    ("POST", "select"): ("SelectObjectContent", "s3:GetObject", "s3:GetObject"),
}
_OBJECT_SUBRESOURCES = (
    "acl",
    "tagging",
    "attributes",
    "retention",
    "legal-hold",
    "uploads",
    "uploadId",
    "restore",
    "select",
)

# (method, subresource) of a bucket request → (operation, action).
_BUCKET = {
    ("GET", ""): ("ListObjects", "s3:ListBucket"),
    ("HEAD", ""): ("HeadBucket", "s3:ListBucket"),
    ("DELETE", ""): ("DeleteBucket", "s3:DeleteBucket"),
    ("GET", "versions"): ("ListObjectVersions", "s3:ListBucketVersions"),
    ("GET", "uploads"): ("ListMultipartUploads", "s3:ListBucketMultipartUploads"),
    ("GET", "location"): ("GetBucketLocation", "s3:GetBucketLocation"),
    ("GET", "policy"): ("GetBucketPolicy", "s3:GetBucketPolicy"),
    ("PUT", "policy"): ("PutBucketPolicy", "s3:PutBucketPolicy"),
    ("DELETE", "policy"): ("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
    ("GET", "policyStatus"): ("GetBucketPolicyStatus", "s3:GetBucketPolicyStatus"),
    ("GET", "acl"): ("GetBucketAcl", "s3:GetBucketAcl"),
    ("PUT", "acl"): ("PutBucketAcl", "s3:PutBucketAcl"),
    ("GET", "versioning"): ("GetBucketVersioning", "s3:GetBucketVersioning"),
    ("PUT", "versioning"): ("PutBucketVersioning", "s3:PutBucketVersioning"),
    ("GET", "tagging"): ("GetBucketTagging", "s3:GetBucketTagging"),
    ("PUT", "tagging"): ("PutBucketTagging", "s3:PutBucketTagging"),
    ("DELETE", "tagging"): ("DeleteBucketTagging", "s3:PutBucketTagging"),
    ("GET", "cors"): ("GetBucketCors", "s3:GetBucketCORS"),
    ("PUT", "cors"): ("PutBucketCors", "s3:PutBucketCORS"),
    ("DELETE", "cors"): ("DeleteBucketCors", "s3:PutBucketCORS"),
    ("GET", "lifecycle"): ("GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
    ("PUT", "lifecycle"): ("PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
    ("DELETE", "lifecycle"): ("DeleteBucketLifecycle", "s3:PutLifecycleConfiguration"),
    ("GET", "notification"): ("GetBucketNotificationConfiguration", "s3:GetBucketNotification"),
    ("PUT", "notification"): ("PutBucketNotificationConfiguration", "s3:PutBucketNotification"),
    ("GET", "website"): ("GetBucketWebsite", "s3:GetBucketWebsite"),
    ("PUT", "website"): ("PutBucketWebsite", "s3:PutBucketWebsite"),
    ("DELETE", "website"): ("DeleteBucketWebsite", "s3:DeleteBucketWebsite"),
    ("GET", "logging"): ("GetBucketLogging", "s3:GetBucketLogging"),
    ("PUT", "logging"): ("PutBucketLogging", "s3:PutBucketLogging"),
    ("GET", "encryption"): ("GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    ("PUT", "encryption"): ("PutBucketEncryption", "s3:PutEncryptionConfiguration"),
    ("DELETE", "encryption"): ("DeleteBucketEncryption", "s3:PutEncryptionConfiguration"),
    ("GET", "publicAccessBlock"): ("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    ("PUT", "publicAccessBlock"): ("PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    ("DELETE", "publicAccessBlock"): ("DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    ("GET", "ownershipControls"): ("GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
    ("PUT", "ownershipControls"): ("PutBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
    ("DELETE", "ownershipControls"): (
        "DeleteBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
    ),
    ("GET", "object-lock"): (
        "GetObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
    ),
    ("PUT", "object-lock"): (
        "PutObjectLockConfiguration",
        "s3:PutBucketObjectLockConfiguration",
    ),
    ("GET", "replication"): ("GetBucketReplication", "s3:GetReplicationConfiguration"),
    ("PUT", "replication"): ("PutBucketReplication", "s3:PutReplicationConfiguration"),
    ("DELETE", "replication"): ("DeleteBucketReplication", "s3:PutReplicationConfiguration"),
    ("GET", "requestPayment"): ("GetBucketRequestPayment", "s3:GetBucketRequestPayment"),
    ("PUT", "requestPayment"): ("PutBucketRequestPayment", "s3:PutBucketRequestPayment"),
    ("GET", "accelerate"): ("GetBucketAccelerateConfiguration", "s3:GetAccelerateConfiguration"),
    ("PUT", "accelerate"): ("PutBucketAccelerateConfiguration", "s3:PutAccelerateConfiguration"),
    ("POST", "delete"): ("DeleteObjects", "s3:DeleteObject"),
}
_BUCKET_SUBRESOURCES = tuple(sorted({sub for _, sub in _BUCKET if sub}))
# Query parameters of the list operations (and botocore's ``x-id``): any other parameter on a
# bucket request is a subresource this module does not know.
_BUCKET_PARAMETERS = frozenset(
    {
        "prefix",
        "delimiter",
        "max-keys",
        "marker",
        "list-type",
        "continuation-token",
        "fetch-owner",
        "start-after",
        "encoding-type",
        "key-marker",
        "version-id-marker",
        "upload-id-marker",
        "max-uploads",
        "x-id",
    }
)

# Request headers that S3 exposes as condition keys (S3 User Guide, "Bucket policy examples
# using condition keys"; Service Authorization Reference for S3, condition keys).
_HEADER_KEYS = {
    "x-amz-acl": "s3:x-amz-acl",
    "x-amz-server-side-encryption": "s3:x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id": (
        "s3:x-amz-server-side-encryption-aws-kms-key-id"
    ),
    "x-amz-storage-class": "s3:x-amz-storage-class",
    "x-amz-content-sha256": "s3:x-amz-content-sha256",
    "x-amz-metadata-directive": "s3:x-amz-metadata-directive",
    "x-amz-copy-source": "s3:x-amz-copy-source",
}
_LIST_KEYS = {"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys"}


@dataclass(frozen=True)
class S3Check:
    """One permission a request needs: ``action`` on ``bucket`` (and ``key``), with the S3
    condition keys of the request. ``operation`` is the S3 API name, for reports."""

    operation: str
    action: str
    bucket: str
    key: str | None = None
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def resource(self) -> str:
        if self.key is None:
            return f"arn:aws:s3:::{self.bucket}"
        return f"arn:aws:s3:::{self.bucket}/{self.key}"


def _subresource(query: Mapping[str, list[str]], known: tuple[str, ...]) -> str:
    for name in known:
        if name in query:
            return name
    return ""


def checks_for_request(
    method: str,
    bucket: str,
    key: str | None,
    query: Mapping[str, list[str]],
    header: Any,
    body: bytes = b"",
) -> list[S3Check]:
    """The checks of one S3 request (``header(name)`` reads a request header)."""
    method = method.upper()
    context: dict[str, Any] = {}
    for name, condition_key in _HEADER_KEYS.items():
        value = header(name)
        if value:
            context[condition_key] = value
    version = (query.get("versionId") or [""])[0]
    if version:
        context["s3:VersionId"] = version
    copy_source = header("x-amz-copy-source")
    if key is not None:
        subresource = _subresource(query, _OBJECT_SUBRESOURCES)
        if subresource == "uploadId" and "partNumber" not in query and method == "PUT":
            subresource = ""
        entry = _OBJECT.get((method, subresource))
        if entry is None:
            return [S3Check(f"{method} object", UNMAPPED_ACTION, bucket, key, context)]
        operation, action, versioned = entry
        if copy_source and method == "PUT" and subresource in ("", "uploadId"):
            operation = "CopyObject" if subresource == "" else "UploadPartCopy"
            return [
                *_copy_source_checks(copy_source, context),
                S3Check(operation, action, bucket, key, context),
            ]
        return [S3Check(operation, versioned if version else action, bucket, key, context)]
    subresource = _subresource(query, _BUCKET_SUBRESOURCES)
    unknown = set(query) - _BUCKET_PARAMETERS - set(_BUCKET_SUBRESOURCES)
    if method == "PUT" and subresource == "" and not unknown:
        return []  # CreateBucket: answered by S3 (BucketAlreadyExists), nothing to authorize
    entry = None if unknown else _BUCKET.get((method, subresource))
    if entry is None:
        return [S3Check(f"{method} bucket", UNMAPPED_ACTION, bucket, None, context)]
    operation, action = entry
    if operation == "ListObjects":
        if (query.get("list-type") or [""])[0] == "2":
            operation = "ListObjectsV2"
        for parameter, condition_key in _LIST_KEYS.items():
            if parameter in query:
                context[condition_key] = query[parameter][0]
    if operation == "DeleteObjects":
        return [
            S3Check(
                operation,
                "s3:DeleteObjectVersion" if object_version else "s3:DeleteObject",
                bucket,
                object_key,
                dict(context, **({"s3:VersionId": object_version} if object_version else {})),
            )
            for object_key, object_version in deleted_keys(body)
        ]
    return [S3Check(operation, action, bucket, None, context)]


def _copy_source_checks(copy_source: str, request_context: dict[str, Any]) -> list[S3Check]:
    """``x-amz-copy-source: /bucket/key?versionId=…`` (URL-encoded) → GetObject on the source,
    with the request's condition keys (its own ``s3:VersionId`` being the source's)."""
    source, _, query = copy_source.partition("?")
    source = unquote(source).lstrip("/")
    source_bucket, _, source_key = source.partition("/")
    if not source_bucket or not source_key:
        return []
    version = ""
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "versionId":
            version = unquote(value)
    action = "s3:GetObjectVersion" if version else "s3:GetObject"
    context = {k: v for k, v in request_context.items() if k != "s3:VersionId"}
    if version:
        context["s3:VersionId"] = version
    return [S3Check("CopyObject (source)", action, source_bucket, source_key, context)]


def deleted_keys(body: bytes) -> list[tuple[str, str]]:
    """(key, version id or "") of each ``<Object>`` of a DeleteObjects request body."""
    try:
        root = ElementTree.fromstring(body or b"<Delete/>")
    except ElementTree.ParseError:
        return []
    keys = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "Object":
            continue
        fields = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in element}
        if "Key" in fields:
            keys.append((fields["Key"], fields.get("VersionId", "")))
    return keys
