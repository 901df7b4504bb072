"""SNS on the embedded backend: moto keeps topics and subscriptions, streamlab delivers.

:class:`SnsService` is registered as an interceptor of the embedded backend
(:mod:`sim.backends.embedded.intercept`), so it sees every SNS request, in-process and over
HTTP, before moto does. It answers the operations moto gets wrong for delivery and leaves the
rest (CreateTopic, GetSubscriptionAttributes, SetSubscriptionAttributes, Unsubscribe, tags, ...)
to moto:

* ``Publish`` / ``PublishBatch`` to a topic: AWS's checks, then delivery to each subscription
  (:mod:`sim.services.sns.delivery`). Publishing to a phone number or a platform endpoint stays
  moto's.
* ``Subscribe`` with the ``email`` / ``email-json`` protocols: pending until confirmed, with a
  confirmation email (:mod:`sim.services.sns.subscriptions`); other protocols stay moto's.
* ``ConfirmSubscription``: checks the token (also unsigned, as from a confirmation link).
* ``ListSubscriptions`` / ``ListSubscriptionsByTopic``: pending subscriptions shown as AWS
  shows them.

Delivery happens during the Publish call, at the publish time (``now``, simulated time on the
embedded backend); Lambda subscribers are invoked asynchronously.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from moto.core.exceptions import ServiceException

from sim.errors import AwsError
from sim.ids import derive_rng, hex_id, uuid4
from sim.services.sns import store, wire
from sim.services.sns.delivery import EMAIL_PROTOCOLS, Deliverer, DeliveryStats
from sim.services.sns.exceptions import InvalidParameterException
from sim.services.sns.limits import PENDING_ARN_FROM_SUBSCRIBE
from sim.services.sns.notifications import Message, Urls
from sim.services.sns.outbox import Outbox
from sim.services.sns.publishing import Publisher
from sim.services.sns.subscriptions import Subscriptions, list_page
from sim.services.sns.wire import Answer

if TYPE_CHECKING:  # the embedded backend imports this package
    from sim.backends.embedded.intercept import Request

# HTTP status of the moto errors that are not 400 (botocore's sns-2010-03-31 model).
_MOTO_ERROR_STATUS = {"NotFound": 404, "ResourceNotFound": 404, "AuthorizationError": 403}


class SnsService:
    """Delivery for one embedded backend.

    ``client(service, region)`` gives the backend's boto3 clients (SQS deliveries go through
    them), ``lambda_runtime()`` the runtime Lambda subscribers run in, ``now()`` the time
    (simulated epoch seconds); ``region`` is the backend's (for requests that name none).
    Identifiers (message ids, tokens) are drawn from a generator seeded by ``seed``: the same
    requests give the same ids.
    """

    def __init__(
        self,
        *,
        account_id: str,
        region: str,
        seed: int,
        now: Callable[[], float],
        client: Callable[[str, str], Any],
        lambda_runtime: Callable[[], Any],
    ):
        self.account_id = account_id
        self.region = region
        self._now = now
        self.outbox = Outbox()
        self._lock = threading.RLock()
        self._certificate_id = ""
        self._rng = random.Random(0)
        self._request_rng = random.Random(0)
        self._publisher = Publisher(new_id=lambda: uuid4(self._rng), now=self._now)
        self._deliverer = Deliverer(
            outbox=self.outbox, client=client, lambda_runtime=lambda_runtime, urls=self._urls
        )
        self._subscriptions = Subscriptions(outbox=self.outbox, now=self._now, urls=self._urls)
        self.reset(seed)

    def reset(self, seed: int) -> None:
        """Forget every email, token and count (the backend's ``reset``)."""
        with self._lock:
            self._rng = derive_rng(seed, "sns")
            self._request_rng = derive_rng(seed, "sns:requests")
            self._certificate_id = hex_id(derive_rng(seed, "sns:certificate"), 32)
            self.outbox.clear()
            self._publisher.reset()
            self._deliverer.reset()
            self._subscriptions.reset(derive_rng(seed, "sns:subscriptions"))

    # -- administration (the scenario runner, tests) ----------------------------------------
    def subscribe(
        self,
        topic_arn: str,
        protocol: str,
        endpoint: str,
        *,
        confirmed: bool = False,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Subscribe as Subscribe does; ``confirmed=True`` makes an email subscription start
        confirmed, without a confirmation email (a scenario's ``auto_confirm``). Returns the
        subscription ARN."""
        with self._lock:
            topic = store.topic(topic_arn, None)  # the region of the ARN
            subscription = self._subscriptions.subscribe(
                topic, protocol, endpoint, attributes, confirmed=confirmed
            )
            return subscription.arn

    def confirm(self, subscription_arn: str) -> str:
        """Confirm a pending subscription as if its owner opened the confirmation link."""
        with self._lock:
            return self._subscriptions.confirm(subscription_arn)

    def pending_subscriptions(self) -> list[str]:
        """The ARNs of the email subscriptions still waiting for confirmation."""
        with self._lock:
            return [subscription.arn for subscription in self._subscriptions.pending()]

    def pending_confirmations(self) -> list[dict[str, str]]:
        """The same subscriptions described: ``subscription_arn``, ``topic_arn``, ``protocol``,
        ``endpoint`` (the address)."""
        with self._lock:
            return [
                {
                    "subscription_arn": s.arn,
                    "topic_arn": s.topic.arn,
                    "protocol": s.protocol,
                    "endpoint": s.endpoint,
                }
                for s in self._subscriptions.pending()
            ]

    def stats(self) -> list[DeliveryStats]:
        """Per subscription: delivered, filtered out, pending confirmation, failed, not
        simulated (protocols streamlab does not deliver to)."""
        return self._deliverer.stats()

    # -- the interceptor ------------------------------------------------------------------
    def intercept(self, request: Request) -> Answer | None:
        """Answer the SNS operations this service owns; None leaves a request to moto."""
        service = request.service
        if service not in ("sns", None):
            return None
        operation = request.operation
        handler = _HANDLERS.get(operation or "")
        if handler is None:
            return None
        form = request.form
        if service is None and not (
            operation == "ConfirmSubscription" and ":sns:" in form.get("TopicArn", "")
        ):
            return None  # unsigned and not a confirmation link: not ours to guess
        with self._lock:
            request_id = uuid4(self._request_rng)
            try:
                return handler(self, form, request, request_id)
            except AwsError as error:
                return wire.error(error, request_id)
            except ServiceException as error:  # moto's own checks (Subscribe attributes, ...)
                status = _MOTO_ERROR_STATUS.get(error.code, 400)
                return wire.error(
                    AwsError(error.message, code=error.code, status=status), request_id
                )

    def _urls(self, region: str) -> Urls:
        return Urls(region, self._certificate_id)

    def _deliver(self, message: Message) -> None:
        topic = store.topic(message.topic_arn, message.region)
        self._deliverer.deliver(topic, message)

    # -- operations -----------------------------------------------------------------------
    def _publish_op(self, form: Mapping[str, str], request: Request, request_id: str):
        target = form.get("TargetArn") or ""
        if form.get("PhoneNumber") or (not form.get("TopicArn") and ":endpoint/" in target):
            return None  # SMS and mobile push stay moto's
        message = self._publisher.publish(form, request.region)
        self._deliver(message)
        fields = {"MessageId": message.message_id, "SequenceNumber": message.sequence_number}
        return wire.result("Publish", fields, request_id)

    def _publish_batch_op(self, form: Mapping[str, str], request: Request, request_id: str):
        entries = self._publisher.publish_batch(form, request.region)
        successful, failed = [], []
        for entry in entries:
            if entry.message is not None:
                self._deliver(entry.message)
                successful.append(
                    {
                        "Id": entry.entry_id,
                        "MessageId": entry.message.message_id,
                        "SequenceNumber": entry.message.sequence_number,
                    }
                )
            elif entry.error is not None:
                failed.append(
                    {
                        "Id": entry.entry_id,
                        "Code": entry.error.code,
                        "Message": entry.error.message,
                        "SenderFault": True,
                    }
                )
        fields = {"Successful": successful, "Failed": failed}
        return wire.result("PublishBatch", fields, request_id)

    def _subscribe_op(self, form: Mapping[str, str], request: Request, request_id: str):
        protocol = form.get("Protocol")
        if protocol not in EMAIL_PROTOCOLS:
            return None  # confirmed at once on AWS too (same-account SQS, Lambda, ...)
        endpoint = form.get("Endpoint")
        if not endpoint:
            raise InvalidParameterException("Invalid parameter: Endpoint")  # assumed wording
        topic = store.topic(form.get("TopicArn") or "", request.region)
        attributes = {
            entry.get("key", ""): entry.get("value", "")
            for entry in wire.indexed(form, "Attributes.entry")
        }
        subscription = self._subscriptions.subscribe(topic, protocol, endpoint, attributes)
        arn = subscription.arn
        if store.is_pending(subscription) and not wire.flag(form.get("ReturnSubscriptionArn")):
            arn = PENDING_ARN_FROM_SUBSCRIBE
        return wire.result("Subscribe", {"SubscriptionArn": arn}, request_id)

    def _confirm_op(self, form: Mapping[str, str], request: Request, request_id: str):
        authenticated = request.signed and wire.flag(form.get("AuthenticateOnUnsubscribe"))
        arn = self._subscriptions.confirm_with_token(
            form.get("TopicArn") or "", form.get("Token"), authenticated=authenticated
        )
        return wire.result("ConfirmSubscription", {"SubscriptionArn": arn}, request_id)

    def _list_op(self, form: Mapping[str, str], request: Request, request_id: str):
        backend = store.backend(self.account_id, request.region or self.region)
        members, token = list_page(list(backend.subscriptions.values()), form.get("NextToken"))
        fields = {"Subscriptions": members, "NextToken": token}
        return wire.result("ListSubscriptions", fields, request_id)

    def _list_by_topic_op(self, form: Mapping[str, str], request: Request, request_id: str):
        topic = store.topic(form.get("TopicArn") or "", request.region)
        members, token = list_page(store.topic_subscriptions(topic), form.get("NextToken"))
        fields = {"Subscriptions": members, "NextToken": token}
        return wire.result("ListSubscriptionsByTopic", fields, request_id)


_HANDLERS: dict[str, Callable[[SnsService, Mapping[str, str], Request, str], Any]] = {
    "Publish": SnsService._publish_op,
    "PublishBatch": SnsService._publish_batch_op,
    "Subscribe": SnsService._subscribe_op,
    "ConfirmSubscription": SnsService._confirm_op,
    "ListSubscriptions": SnsService._list_op,
    "ListSubscriptionsByTopic": SnsService._list_by_topic_op,
}
