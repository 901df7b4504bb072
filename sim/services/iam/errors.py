"""What AWS answers when IAM denies a request: the message text and each protocol's error.

Message (IAM User Guide, "Troubleshoot access denied error messages",
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html): "User: *user*
is not authorized to perform: *action* on resource: *resource* because no *type* policy allows the
*action* action" for an implicit deny, "… with an explicit deny in a *type* policy" for an explicit
one. For a Lambda function the user is its role session,
``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`` (SESSION = the function name).

Since 2026 AWS appends ``: <policy ARN>`` to explicit-deny messages for same-account denials
("Enhanced access denied error messages with policy ARNs", AWS Security Blog); the suffix is
opt-in here (``policy_arn=``) and only meaningful for managed policies.

S3 quotes the resource: ``… on resource: "arn:aws:s3:::bucket/key" because …``.

How each service spells the action in its message (observed in real errors, see the README):
DynamoDB/Kinesis/Firehose/Logs/Lambda ``service:Operation``; SNS ``SNS:Publish`` (upper-case
prefix); SQS all lower-case (``sqs:sendmessage``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sim.errors import AwsError
from sim.services.iam.evaluate import EXPLICIT_DENY, Decision

POLICY_TYPE = "identity-based"


def spell_action(service: str, action: str) -> str:
    """The action as ``service``'s error message spells it."""
    prefix, _, name = action.partition(":")
    if service == "sns":
        return f"SNS:{name}"
    if service == "sqs":
        return action.lower()
    return f"{prefix}:{name}"


def access_denied_message(
    principal_arn: str,
    action: str,
    resource: str,
    *,
    explicit: bool,
    policy_type: str = POLICY_TYPE,
    policy_arn: str | None = None,
) -> str:
    head = f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource}"
    if explicit:
        tail = f" with an explicit deny in an {policy_type} policy"
        return head + tail + (f": {policy_arn}" if policy_arn else "")
    return head + f" because no {policy_type} policy allows the {action} action"


def decision_message(
    decision: Decision, principal_arn: str, *, service: str = "", with_policy_arn: bool = False
) -> str:
    """The message for a denying :class:`~sim.services.iam.evaluate.Decision`."""
    action = spell_action(service, decision.action) if service else decision.action
    policy_arn = None
    if with_policy_arn and decision.policy is not None:
        policy_arn = decision.policy.arn
    resource = decision.resource
    if service == "s3":  # S3 quotes the resource ARN
        resource = f'"{resource}"'
    return access_denied_message(
        principal_arn,
        action,
        resource,
        explicit=decision.effect == EXPLICIT_DENY,
        policy_arn=policy_arn,
    )


# ------------------------------------------------------------------ protocol forms


@dataclass(frozen=True)
class ErrorForm:
    """How one service reports access denied: protocol, error code, HTTP status."""

    protocol: str  # json | rest-json | rest-xml | query
    code: str
    status: int
    json_type: str | None = None  # the __type written in JSON bodies
    message_key: str = "message"
    content_type: str = "application/x-amz-json-1.0"
    query_error: str | None = None  # x-amzn-query-error for awsQueryCompatible services
    xmlns: str | None = None


FORMS: dict[str, ErrorForm] = {
    # Observed: HTTP 400, {"__type":"com.amazon.coral.service#AccessDeniedException","Message":…}
    # (aws/aws-sdk-php#1292; github.com/ministryofjustice/modernisation-platform#6789: 400).
    "dynamodb": ErrorForm(
        "json",
        "AccessDeniedException",
        400,
        json_type="com.amazon.coral.service#AccessDeniedException",
        message_key="Message",
    ),
    "kinesis": ErrorForm(
        "json", "AccessDeniedException", 400, content_type="application/x-amz-json-1.1"
    ),
    "firehose": ErrorForm(
        "json", "AccessDeniedException", 400, content_type="application/x-amz-json-1.1"
    ),
    "logs": ErrorForm(
        "json", "AccessDeniedException", 400, content_type="application/x-amz-json-1.1"
    ),
    # SQS speaks JSON 1.0 with awsQueryCompatible: botocore takes the code from
    # x-amzn-query-error, so clients see AccessDenied as with the old query protocol (403).
    "sqs": ErrorForm(
        "json",
        "AccessDenied",
        403,
        json_type="com.amazon.coral.service#AccessDeniedException",
        query_error="AccessDenied;Sender",
    ),
    "lambda": ErrorForm(
        "rest-json",
        "AccessDeniedException",
        403,
        message_key="Message",
        content_type="application/json",
    ),
    "s3": ErrorForm("rest-xml", "AccessDenied", 403, content_type="application/xml"),
    "sns": ErrorForm(
        "query",
        "AuthorizationError",
        403,
        content_type="text/xml",
        xmlns="https://sns.amazonaws.com/doc/2010-03-31/",
    ),
    "iam": ErrorForm(
        "query",
        "AccessDenied",
        403,
        content_type="text/xml",
        xmlns="https://iam.amazonaws.com/doc/2010-05-08/",
    ),
    "sts": ErrorForm(
        "query",
        "AccessDenied",
        403,
        content_type="text/xml",
        xmlns="https://sts.amazonaws.com/doc/2011-06-15/",
    ),
}
FORMS["dynamodbstreams"] = FORMS["dynamodb"]


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def access_denied_response(
    service: str, message: str, *, request_id: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of ``service``'s access-denied answer carrying ``message``.

    S3 answers in XML with the same text, its resource ARN in double quotes: since August
    2024 S3 gives same-account denials this context instead of a bare ``Access Denied``
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html,
    "Access denied message examples").
    """
    form = FORMS.get(service) or ErrorForm(
        "json", "AccessDeniedException", 400, content_type="application/x-amz-json-1.1"
    )
    request_id = request_id or str(uuid.uuid4())
    headers = {"Content-Type": form.content_type, "x-amzn-RequestId": request_id}
    if form.protocol == "json":
        if form.query_error:
            headers["x-amzn-query-error"] = form.query_error
        body = {"__type": form.json_type or form.code, form.message_key: message}
        return form.status, headers, json.dumps(body).encode("utf-8")
    if form.protocol == "rest-json":
        headers["x-amzn-ErrorType"] = form.code
        body = {"Type": "User", form.message_key: message}
        return form.status, headers, json.dumps(body).encode("utf-8")
    if form.protocol == "rest-xml":
        host_id = request_id.replace("-", "")
        headers = {"Content-Type": form.content_type, "x-amz-request-id": request_id}
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{form.code}</Code><Message>{_xml_escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
        )
        return form.status, headers, text.encode("utf-8")
    text = (
        f'<ErrorResponse xmlns="{form.xmlns}">\n'
        f"  <Error>\n    <Type>Sender</Type>\n    <Code>{form.code}</Code>\n"
        f"    <Message>{_xml_escape(message)}</Message>\n  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n"
    )
    return form.status, headers, text.encode("utf-8")


class AccessDenied(AwsError):
    """Access denied by IAM, as ``service`` reports it (``code``/``status`` from :data:`FORMS`)."""

    code = "AccessDeniedException"

    def __init__(self, service: str, message: str, decision: Decision | None = None):
        form = FORMS.get(service)
        super().__init__(
            message,
            code=form.code if form else None,
            status=form.status if form else None,
        )
        self.service = service
        self.decision = decision

    def response(self, request_id: str | None = None) -> tuple[int, dict[str, str], bytes]:
        return access_denied_response(self.service, self.message, request_id=request_id)
