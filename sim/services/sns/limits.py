"""Every SNS limit and fixed text streamlab uses, as a named constant with its source.

Sources (short names used below):

* PUBLISH: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (as botocore's
  sns-2010-03-31 service model carries it: the ``Message`` and ``Subject`` documentation).
* LARGE: https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html
* ATTRIBUTES: https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
* BATCH: https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html and
  ``PublishBatchRequestEntry.Id`` in botocore's service model.
* RECORDED: error responses recorded against AWS in LocalStack's AWS-validated snapshot tests
  (localstack/localstack ``tests/aws/services/sns/test_sns.snapshot.json``).
* MOTO1503: getmoto/moto#1503 (AWS accepts a 100-character subject, refuses 101).
* EMAILS: the texts of real SNS emails quoted in users' repositories and posts (see
  docs/sns.md, "What AWS's emails look like").
"""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB

# -- Publish ----------------------------------------------------------------------------------
# A message (body plus message attributes: names, data types and values) is at most 256 KiB,
# 262,144 bytes, not characters (PUBLISH; ATTRIBUTES; RECORDED test_publish_too_long_message:
# exactly 262,144 bytes with attributes passes, one byte more is refused).
DEFAULT_MAX_MESSAGE_BYTES = 256 * KiB
# The topic attribute MaximumMessageSize raises or lowers it: 1,024 .. 1,048,576 bytes (LARGE).
MAX_MESSAGE_SIZE_MIN = 1 * KiB
MAX_MESSAGE_SIZE_MAX = 1 * MiB
# Subject: "less than 100 characters" says PUBLISH, but AWS accepts exactly 100 (MOTO1503).
SUBJECT_MAX_CHARS = 100
# A message attribute name: "Length of message attribute name must be less than 256 bytes."
# (RECORDED: a 257-character name is refused; 256 passes in LocalStack's validated check).
ATTRIBUTE_NAME_MAX_BYTES = 256

# -- PublishBatch -----------------------------------------------------------------------------
# At most 10 entries per batch; the whole batch at most 256 KiB (BATCH; RECORDED). Whether a
# topic's larger MaximumMessageSize raises the batch limit too is not documented: kept at 256 KiB.
BATCH_MAX_ENTRIES = 10
BATCH_MAX_BYTES = DEFAULT_MAX_MESSAGE_BYTES
# Entry Id: up to 80 characters of alphanumerics, hyphens and underscores (BATCH).
BATCH_ID_MAX_CHARS = 80
BATCH_ID_PATTERN = r"[a-zA-Z0-9_-]+"

# -- Listing ----------------------------------------------------------------------------------
# ListSubscriptions / ListSubscriptionsByTopic return up to 100 subscriptions per page
# (API_ListSubscriptions.html, API_ListSubscriptionsByTopic.html).
LIST_PAGE_SIZE = 100

# -- Subscription confirmation ----------------------------------------------------------------
# Confirmation tokens: AWS's are 288 lowercase hexadecimal characters (a real token in RECORDED
# test_sns_confirm_subscription_wrong_token, and the confirmation links quoted in EMAILS).
TOKEN_HEX_CHARS = 288
# What ListSubscriptions(ByTopic) shows as SubscriptionArn while a subscription is pending, and
# what Subscribe answers without ReturnSubscriptionArn (RECORDED; AWS CLI user guide example).
PENDING_ARN_IN_LISTS = "PendingConfirmation"
PENDING_ARN_FROM_SUBSCRIBE = "pending confirmation"

# -- Emails (EMAILS) --------------------------------------------------------------------------
EMAIL_SENDER_ADDRESS = "no-reply@sns.amazonaws.com"
# The sender's display name when the topic has no DisplayName; a topic's DisplayName replaces
# it (SNS FAQ: "The Display name for topics can be set using the SetTopicAttributes API, which
# applies to all emails sent from this topic").
EMAIL_DEFAULT_SENDER_NAME = "AWS Notifications"
# The subject of a notification published without Subject.
EMAIL_DEFAULT_SUBJECT = "AWS Notification Message"
EMAIL_CONFIRMATION_SUBJECT = "AWS Notification - Subscription Confirmation"

# -- Notification documents -------------------------------------------------------------------
# SNS signs with SignatureVersion 1 by default; Lambda events always say "1" (the with-sns.md
# example in aws-semantics.md §7; RECORDED lambda notification).
SIGNATURE_VERSION = "1"
# Lambda event record version and source (aws-semantics.md §7).
LAMBDA_EVENT_VERSION = "1.0"
LAMBDA_EVENT_SOURCE = "aws:sns"
