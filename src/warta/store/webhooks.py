"""Webhooks of sites, the outbox of events to deliver to them, and the delivery log.

:meth:`WebhookStore.enqueue` writes one outbox row per subscribed webhook with the exact JSON body
(so every retry sends, and signs, the same bytes); :func:`enqueue` does the same inside a
caller's transaction (the announcer writes a job's events in the transaction that marks the job
announced, :mod:`warta.integrations.announce`).

A dispatcher claims due rows with a lease (:meth:`WebhookStore.claim_due` moves
``next_attempt_at`` to the lease's end: that value is the claim's token, and two dispatchers do
not send the same row at once), sends them, and records each attempt with
:meth:`WebhookStore.record_attempt` — which writes the delivery log row and either marks the event
delivered, schedules the next try, or fails it for good. A dispatcher that is still sending when
its lease may run out takes the row back first (:meth:`WebhookStore.hold`, which fails when
another dispatcher claimed it meanwhile). Delivery is at least once: a dispatcher that dies
between sending and recording leaves the row pending, and it is sent again when the lease ends
(receivers deduplicate on the event id, the body's ``id``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warta.errors import NotFoundError
from warta.store.tables import WebhookDeliveryRow, WebhookEventRow, WebhookRow
from warta.store.transactional import Transactional


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last attempt


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    site_id: int
    url: str
    secret: str
    events: tuple[str, ...]
    created_at: datetime
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    webhook_id: int
    event_id: str
    event: str
    body: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    id: int
    outbox_id: int
    webhook_id: int
    event_id: str
    event: str
    attempt: int
    status_code: int | None
    error: str
    duration_ms: int
    attempted_at: datetime
    event_status: OutboxStatus  # the status of the event now (after all its attempts so far)


def _webhook(row: WebhookRow) -> Webhook:
    return Webhook(
        id=row.id,
        site_id=row.site_id,
        url=row.url,
        secret=row.secret,
        events=tuple(str(e) for e in row.events),
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def _item(row: WebhookEventRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        webhook_id=row.webhook_id,
        event_id=row.event_id,
        event=row.event,
        body=row.body,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def _webhook_row(session: Session, webhook_id: int) -> WebhookRow:
    row = session.get(WebhookRow, webhook_id)
    if row is None:
        raise NotFoundError(
            f"no webhook {webhook_id}",
            hint="list webhooks with GET /api/v1/webhooks or `warta webhooks list`",
            webhook_id=webhook_id,
        )
    return row


def active_hooks(session: Session, site_ids: Iterable[int]) -> dict[int, list[Webhook]]:
    """The active webhooks of each of ``site_ids`` that has any, in order of creation."""
    found: dict[int, list[Webhook]] = {}
    wanted = sorted(set(site_ids))
    if not wanted:
        return found
    for row in session.scalars(
        select(WebhookRow)
        .where(WebhookRow.site_id.in_(wanted), WebhookRow.disabled_at.is_(None))
        .order_by(WebhookRow.id)
    ):
        found.setdefault(row.site_id, []).append(_webhook(row))
    return found


def enqueue(
    session: Session,
    *,
    hooks: Sequence[Webhook],
    event_id: str,
    event: str,
    body: str,
    now: datetime,
) -> list[OutboxItem]:
    """In the caller's transaction: one pending outbox row per hook of ``hooks`` (a site's
    active webhooks, :func:`active_hooks`) that subscribes to ``event``."""
    rows = [
        WebhookEventRow(
            webhook_id=hook.id,
            event_id=event_id,
            event=event,
            body=body,
            status=OutboxStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
        for hook in hooks
        if hook.active and event in hook.events
    ]
    session.add_all(rows)
    session.flush()
    return [_item(row) for row in rows]


class WebhookStore(Transactional):
    # --- subscriptions ---------------------------------------------------------------------------

    def add(self, *, site_id: int, url: str, secret: str, events: tuple[str, ...]) -> Webhook:
        with self._write() as session:
            row = WebhookRow(
                site_id=site_id,
                url=url,
                secret=secret,
                events=list(events),
                created_at=self._clock(),
            )
            session.add(row)
            session.flush()
            return _webhook(row)

    def get(self, webhook_id: int) -> Webhook:
        with self._read() as session:
            return _webhook(_webhook_row(session, webhook_id))

    def list_for(self, *, site_id: int | None = None, active_only: bool = False) -> list[Webhook]:
        with self._read() as session:
            query = select(WebhookRow).order_by(WebhookRow.id)
            if site_id is not None:
                query = query.where(WebhookRow.site_id == site_id)
            if active_only:
                query = query.where(WebhookRow.disabled_at.is_(None))
            return [_webhook(row) for row in session.scalars(query)]

    def disable(self, webhook_id: int) -> Webhook:
        """Stop delivering to the webhook; its pending events fail, its log stays readable."""
        now = self._clock()
        with self._write() as session:
            row = _webhook_row(session, webhook_id)
            if row.disabled_at is None:
                row.disabled_at = now
            for item in session.scalars(
                select(WebhookEventRow).where(
                    WebhookEventRow.webhook_id == webhook_id,
                    WebhookEventRow.status == OutboxStatus.PENDING.value,
                )
            ):
                item.status = OutboxStatus.FAILED.value
                item.next_attempt_at = None
                item.last_error = "the webhook was removed"
            session.flush()
            return _webhook(row)

    # --- outbox ----------------------------------------------------------------------------------

    def enqueue(self, *, site_id: int, event_id: str, event: str, body: str) -> list[OutboxItem]:
        """One pending outbox row per active webhook of the site that subscribes to ``event``."""
        now = self._clock()
        with self._write() as session:
            hooks = active_hooks(session, [site_id]).get(site_id, [])
            return enqueue(session, hooks=hooks, event_id=event_id, event=event, body=body, now=now)

    def claim_due(self, *, limit: int, lease_seconds: float) -> list[tuple[OutboxItem, Webhook]]:
        """Pending events whose time has come, oldest first, leased for ``lease_seconds``."""
        now = self._clock()
        with self._write() as session:
            query = (
                select(WebhookEventRow)
                .where(
                    WebhookEventRow.status == OutboxStatus.PENDING.value,
                    WebhookEventRow.next_attempt_at <= now,
                )
                .order_by(WebhookEventRow.next_attempt_at, WebhookEventRow.id)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(session.scalars(query))
            claimed: list[tuple[OutboxItem, Webhook]] = []
            for row in rows:
                row.next_attempt_at = now + timedelta(seconds=lease_seconds)
                claimed.append((_item(row), _webhook(_webhook_row(session, row.webhook_id))))
            session.flush()
            return claimed

    def hold(self, outbox_id: int, *, lease: datetime, lease_seconds: float) -> datetime | None:
        """Extend the claim whose token is ``lease`` (the claimed item's ``next_attempt_at``).

        Returns the new token, or None when the claim is not the caller's any more: the lease
        ran out and another dispatcher claimed the event, or it was delivered or failed
        meanwhile. A dispatcher calls it before sending an event it claimed a while ago.
        """
        renewed = self._clock() + timedelta(seconds=lease_seconds)
        with self._write() as session:
            found = session.execute(
                update(WebhookEventRow)
                .where(
                    WebhookEventRow.id == outbox_id,
                    WebhookEventRow.status == OutboxStatus.PENDING.value,
                    WebhookEventRow.next_attempt_at == lease,
                )
                .values(next_attempt_at=renewed)
                .returning(WebhookEventRow.id)
                .execution_options(synchronize_session=False)
            ).first()
            return renewed if found is not None else None

    def record_attempt(
        self,
        outbox_id: int,
        *,
        status_code: int | None,
        error: str,
        duration_ms: int,
        delivered: bool,
        retry_at: datetime | None,
        lease: datetime | None = None,
    ) -> OutboxItem:
        """Log one attempt; the event becomes delivered, waits for ``retry_at``, or fails.

        ``lease``: the token of the caller's claim. A failed attempt whose claim was taken over
        meanwhile (another dispatcher claimed the event once the lease ran out), or of an event
        delivered or failed meanwhile, is only logged: it neither reschedules nor fails the event.
        A delivered event stays delivered whatever later attempts say.
        """
        now = self._clock()
        with self._write() as session:
            row = session.get(WebhookEventRow, outbox_id)
            if row is None:
                raise NotFoundError(
                    f"no outbox event {outbox_id}", hint="it was deleted with its webhook"
                )
            row.attempts += 1
            session.add(
                WebhookDeliveryRow(
                    outbox_id=row.id,
                    webhook_id=row.webhook_id,
                    attempt=row.attempts,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                    attempted_at=now,
                )
            )
            taken = lease is not None and row.next_attempt_at != lease
            if delivered:
                if row.status != OutboxStatus.DELIVERED.value:
                    row.status = OutboxStatus.DELIVERED.value
                    row.delivered_at = now
                    row.next_attempt_at = None
                    row.last_error = ""
            elif row.status != OutboxStatus.PENDING.value or taken:
                pass  # settled or claimed by another dispatcher meanwhile: only logged
            elif retry_at is not None:
                row.next_attempt_at = retry_at
                row.last_error = error
            else:
                row.status = OutboxStatus.FAILED.value
                row.next_attempt_at = None
                row.last_error = error
            session.flush()
            return _item(row)

    def outbox(self, *, webhook_id: int) -> list[OutboxItem]:
        with self._read() as session:
            _webhook_row(session, webhook_id)
            rows = session.scalars(
                select(WebhookEventRow)
                .where(WebhookEventRow.webhook_id == webhook_id)
                .order_by(WebhookEventRow.id)
            )
            return [_item(row) for row in rows]

    def deliveries(
        self,
        *,
        webhook_id: int | None = None,
        site_id: int | None = None,
        limit: int = 50,
        before: int | None = None,
    ) -> list[DeliveryAttempt]:
        """The delivery log, newest first; ``before`` is the id to page from (exclusive)."""
        with self._read() as session:
            if webhook_id is not None:
                _webhook_row(session, webhook_id)
            query = (
                select(WebhookDeliveryRow, WebhookEventRow)
                .join(WebhookEventRow, WebhookEventRow.id == WebhookDeliveryRow.outbox_id)
                .order_by(WebhookDeliveryRow.id.desc())
                .limit(limit)
            )
            if webhook_id is not None:
                query = query.where(WebhookDeliveryRow.webhook_id == webhook_id)
            if site_id is not None:
                query = query.join(
                    WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id
                ).where(WebhookRow.site_id == site_id)
            if before is not None:
                query = query.where(WebhookDeliveryRow.id < before)
            return [
                DeliveryAttempt(
                    id=log.id,
                    outbox_id=log.outbox_id,
                    webhook_id=log.webhook_id,
                    event_id=event.event_id,
                    event=event.event,
                    attempt=log.attempt,
                    status_code=log.status_code,
                    error=log.error,
                    duration_ms=log.duration_ms,
                    attempted_at=log.attempted_at,
                    event_status=OutboxStatus(event.status),
                )
                for log, event in session.execute(query)
            ]
