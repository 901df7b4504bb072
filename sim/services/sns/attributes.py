"""Message attributes: reading them from a Publish request, AWS's checks, and their size.

Names may hold ASCII letters, digits, ``_``, ``-`` and ``.``, not start or end with ``.`` nor
hold ``..``; data types are ``String``, ``Number``, ``Binary`` or one of them followed by
``.`` and a custom label (``String.Array``, ``Number.float``); a value is required and must not
be empty (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html). The error
texts are AWS's, recorded in LocalStack's AWS-validated snapshot
``test_empty_or_wrong_message_attributes`` and ``test_message_attributes_prefixes``.

All parts of an attribute count toward the message size: its name, data type and value
(sns-message-attributes.html; the recorded ``test_publish_too_long_message`` adds exactly these).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.services.sns.exceptions import InvalidParameterValueException, ValidationError
from sim.services.sns.limits import ATTRIBUTE_NAME_MAX_BYTES
from sim.services.sns.wire import indexed, sub_form

_NAME = re.compile(r"[a-zA-Z0-9_\-.]+")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
_TYPE = re.compile(r"(String|Number|Binary)(\..+)?", re.DOTALL)


@dataclass(frozen=True)
class MessageAttribute:
    """One attribute as published: its data type and its string or binary value."""

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    @property
    def is_binary(self) -> bool:
        return self.data_type.startswith("Binary")

    @property
    def value(self) -> str:
        """The value as SNS's JSON documents carry it: binary values in base64."""
        if self.is_binary:
            return base64.b64encode(self.binary_value or b"").decode("ascii")
        return self.string_value or ""

    def notification(self) -> dict[str, str]:
        """``{"Type", "Value"}``: the form in notification envelopes and Lambda events."""
        return {"Type": self.data_type, "Value": self.value}

    def sqs(self) -> dict[str, Any]:
        """The SQS message attribute raw message delivery turns it into."""
        if self.is_binary:
            return {"DataType": self.data_type, "BinaryValue": self.binary_value or b""}
        return {"DataType": self.data_type, "StringValue": self.string_value or ""}

    def size(self, name: str) -> int:
        raw = self.binary_value if self.is_binary else (self.string_value or "").encode("utf-8")
        return len(name.encode("utf-8")) + len(self.data_type.encode("utf-8")) + len(raw or b"")


def parse(form: Mapping[str, str], *, batch_position: int | None = None) -> dict[str, Any]:
    """The message attributes of a Publish request (or of batch entry ``batch_position``,
    1-based, whose fields ``form`` holds without their prefix), checked as AWS checks them."""
    attributes: dict[str, MessageAttribute] = {}
    for entry in indexed(form, "MessageAttributes.entry"):
        name = entry.get("Name")
        value = sub_form(entry, "Value")
        if not name:
            # streamlab's wording: botocore never sends an attribute without a name.
            raise InvalidParameterValueException("A message attribute must have a name.")
        attributes[name] = _attribute(name, value, batch_position)
    return attributes


def total_size(attributes: Mapping[str, MessageAttribute]) -> int:
    return sum(attribute.size(name) for name, attribute in attributes.items())


def _attribute(name: str, value: Mapping[str, str], position: int | None) -> MessageAttribute:
    _check_name(name)
    data_type = value.get("DataType")
    if data_type is None:
        where = f"messageAttributes.{name}.member.dataType"
        if position is not None:
            where = f"publishBatchRequestEntries.{position}.member.{where}"
        raise ValidationError(
            f"1 validation error detected: Value null at '{where}' failed to satisfy "
            "constraint: Member must not be null"
        )
    if not _TYPE.fullmatch(data_type):
        raise InvalidParameterValueException(
            f"The message attribute '{name}' has an invalid message attribute type, the set of "
            "supported type prefixes is Binary, Number, and String."
        )
    empty = InvalidParameterValueException(
        f"The message attribute '{name}' must contain non-empty message attribute value for "
        f"message attribute type '{data_type}'."
    )
    if "StringValue" not in value and "BinaryValue" not in value:
        raise empty
    field = "Binary" if data_type.startswith("Binary") else "String"
    if f"{field}Value" not in value:
        raise InvalidParameterValueException(
            f"The message attribute '{name}' with type '{data_type}' must use field '{field}'."
        )
    if field == "Binary":
        try:
            binary = base64.b64decode(value["BinaryValue"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameterValueException(  # streamlab's wording: botocore encodes it
                f"The message attribute '{name}' has a BinaryValue that is not base64."
            ) from None
        if not binary:
            raise empty
        return MessageAttribute(data_type, binary_value=binary)
    text = value["StringValue"]
    if not text:
        raise empty
    if data_type.startswith("Number"):
        _check_number(name, text)
    return MessageAttribute(data_type, string_value=text)


def _check_name(name: str) -> None:
    if len(name.encode("utf-8")) > ATTRIBUTE_NAME_MAX_BYTES:
        raise InvalidParameterValueException(
            "Length of message attribute name must be less than 256 bytes."
        )
    if _NAME.fullmatch(name) and not name.startswith(".") and not name.endswith("."):
        if ".." in name:
            raise InvalidParameterValueException(
                "Message attribute name can not have successive '.' character."
            )
        return
    if name.startswith("."):
        raise InvalidParameterValueException(
            "Invalid message attribute name starting with character '.' was found."
        )
    if name.endswith("."):
        raise InvalidParameterValueException(
            "Invalid message attribute name ending with character '.' was found."
        )
    for char in name:
        if char not in _NAME_CHARS:
            raise InvalidParameterValueException(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                "attribute name. Can only include alphanumeric characters, hyphens, underscores, "
                "or dots."
            )


def _check_number(name: str, text: str) -> None:
    try:
        float(text)
    except ValueError:
        # Not recorded from AWS: moto's wording for the same check (moto/sns/responses.py).
        raise InvalidParameterValueException(
            f"Could not cast message attribute '{name}' value to number."
        ) from None
