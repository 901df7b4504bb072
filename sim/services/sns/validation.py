"""AWS's checks on what Publish and PublishBatch send: subject, message, structure, size.

Error texts recorded from AWS (LocalStack's AWS-validated snapshots, RECORDED in
:mod:`sim.services.sns.limits`) unless marked otherwise:

* ``Invalid parameter: Subject`` — an empty subject (RECORDED); a 101-character subject
  (getmoto/moto#1503 quotes AWS's answer). A subject with line breaks or control characters is
  refused too (PUBLISH: "Subjects must be UTF-8 text with no line breaks or control
  characters"); that AWS words that refusal the same way is an assumption.
* ``Invalid parameter: Empty message`` (RECORDED).
* ``Invalid parameter: Message too long`` (RECORDED, also quoted in users' boto3 tracebacks,
  e.g. wellcomecollection/platform#1460).
* ``Invalid parameter: Message Structure - No default entry in JSON message body`` and
  ``Invalid parameter: Message Structure - JSON message body failed to parse`` (RECORDED).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping

from sim.services.sns.attributes import MessageAttribute, total_size
from sim.services.sns.exceptions import InvalidParameterException
from sim.services.sns.limits import SUBJECT_MAX_CHARS

MESSAGE_STRUCTURE_JSON = "json"


def check_subject(subject: str | None) -> None:
    if subject is None:
        return
    if (
        not subject
        or len(subject) > SUBJECT_MAX_CHARS
        or any(unicodedata.category(char) == "Cc" for char in subject)
    ):
        raise InvalidParameterException("Invalid parameter: Subject")


def check_message(message: str | None) -> str:
    if not message:
        raise InvalidParameterException("Invalid parameter: Empty message")
    return message


def check_size(message: str, attributes: Mapping[str, MessageAttribute], limit: int) -> int:
    """The message's size (UTF-8 bytes of the body plus its attributes); refused above
    ``limit`` (the topic's MaximumMessageSize, 262,144 bytes by default)."""
    size = len(message.encode("utf-8")) + total_size(attributes)
    if size > limit:
        raise InvalidParameterException("Invalid parameter: Message too long")
    return size


def message_structure(message: str, structure: str | None) -> dict[str, str] | None:
    """With ``MessageStructure=json``: the per-protocol messages (keys whose values are not
    strings are ignored, as API_Publish says); ``default`` is required. Else None."""
    if structure is None:
        return None
    if structure != MESSAGE_STRUCTURE_JSON:
        # Not recorded from AWS: "Valid value: json" (API_Publish), in AWS's usual wording.
        raise InvalidParameterException("Invalid parameter: MessageStructure")
    try:
        document = json.loads(message)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        # A JSON value that is not an object: assumed to be refused like unparsable JSON.
        raise InvalidParameterException(
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        )
    messages = {key: value for key, value in document.items() if isinstance(value, str)}
    if "default" not in messages:
        raise InvalidParameterException(
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        )
    return messages
