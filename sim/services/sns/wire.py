"""SNS's query protocol: reading a request's form, writing AWS's XML answers and errors.

SNS speaks AWS's query protocol: parameters are form fields (``TopicArn``, ``Message``), lists
are ``Name.member.N``, maps are ``Name.entry.N.key`` / ``.value`` (``MessageAttributes.entry.N``
with ``Name`` and ``Value.DataType`` / ``Value.StringValue`` / ``Value.BinaryValue``, binary
values in base64). Answers are XML in the namespace botocore's service model declares
(``xmlNamespace``), errors are ``<ErrorResponse>`` documents with ``Type``, ``Code`` and
``Message`` (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from sim.errors import AwsError

# botocore's sns-2010-03-31 model: metadata.xmlNamespace.
XML_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"
CONTENT_TYPE = "text/xml"

Answer = tuple[int, dict[str, str], bytes]


def indexed(form: Mapping[str, str], prefix: str) -> list[dict[str, str]]:
    """The items of a query-protocol list or map under ``prefix`` (``"Attributes.entry"``,
    ``"PublishBatchRequestEntries.member"``), in index order, each as {rest of key: value}."""
    pattern = re.compile(re.escape(prefix) + r"\.(\d+)(?:\.(.+))?$")
    items: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        match = pattern.match(key)
        if match:
            items.setdefault(int(match.group(1)), {})[match.group(2) or ""] = value
    return [items[index] for index in sorted(items)]


def sub_form(item: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The fields of ``item`` under ``prefix.`` with the prefix removed."""
    start = prefix + "."
    return {key[len(start) :]: value for key, value in item.items() if key.startswith(start)}


def flag(value: str | None) -> bool:
    """A query-protocol boolean (``true`` / ``false``, any case)."""
    return (value or "").strip().lower() == "true"


def _element(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    if isinstance(value, Mapping):
        inner = "".join(_element(key, item) for key, item in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, list):
        inner = "".join(_element("member", item) for item in value)
        return f"<{name}>{inner}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def result(operation: str, fields: Mapping[str, Any] | None, request_id: str) -> Answer:
    """``<{operation}Response>`` with ``<{operation}Result>`` holding ``fields`` (None: an
    operation without a result element) and the request id."""
    result_xml = _element(f"{operation}Result", dict(fields)) if fields is not None else ""
    body = (
        f'<{operation}Response xmlns="{XML_NAMESPACE}">{result_xml}'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        f"</{operation}Response>"
    )
    return 200, _headers(request_id), body.encode("utf-8")


def error(exc: AwsError, request_id: str) -> Answer:
    """AWS's error document for ``exc`` (its code, message and HTTP status)."""
    kind = "Receiver" if exc.status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{XML_NAMESPACE}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(exc.code)}</Code><Message>{escape(exc.message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return exc.status, _headers(request_id), body.encode("utf-8")


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
