"""Webhooks of the caller's site: register, list, remove, and read the delivery log."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Response, status

from warta.api.auth import SiteAccess, SiteDep
from warta.api.deps import IntegrationsDep
from warta.api.responses import KEYED, errors
from warta.api.schemas import (
    DeliveryPage,
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookPublic,
)
from warta.errors import FieldError, NotFoundError
from warta.integrations import Integrations
from warta.integrations.outbound import check_url, is_public_host
from warta.store.webhooks import Webhook

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=KEYED)

WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _own(integrations: Integrations, access: SiteAccess, webhook_id: int) -> Webhook:
    """The webhook if it belongs to the caller's site; another site's is "not found" too."""
    try:
        hook = integrations.webhooks.get(webhook_id)
    except NotFoundError:
        hook = None
    if hook is None or hook.site_id != access.site_id:
        raise NotFoundError(
            f"no webhook {webhook_id}",
            hint="list your webhooks with GET /api/v1/webhooks",
            webhook_id=webhook_id,
        )
    return hook


@router.post("", status_code=status.HTTP_201_CREATED)
def create_webhook(
    body: WebhookCreate, access: SiteDep, integrations: IntegrationsDep
) -> WebhookCreated:
    """Register a URL; the response carries the signing secret, shown this once only."""
    url = check_url(body.url, field="url")
    policy = integrations.limits.outbound
    host = urlsplit(url).hostname or ""
    if not policy.allow_private_networks and not is_public_host(host):
        raise FieldError(
            f"url {url[:100]!r} does not resolve to a public internet address",
            hint="give the public address of the portal's webhook receiver",
            field="url",
        )
    hook = integrations.webhooks.add(
        site_id=access.site_id,
        url=url,
        secret="whsec_" + secrets.token_urlsafe(32),
        events=tuple(dict.fromkeys(body.events)),
    )
    public = WebhookPublic.from_domain(hook)
    return WebhookCreated(**public.model_dump(), secret=hook.secret)


@router.get("")
def list_webhooks(access: SiteDep, integrations: IntegrationsDep) -> WebhookList:
    hooks = integrations.webhooks.list_for(site_id=access.site_id, active_only=True)
    return WebhookList(items=[WebhookPublic.from_domain(h) for h in hooks])


@router.get("/{webhook_id}", responses=errors(404))
def get_webhook(
    webhook_id: WebhookId, access: SiteDep, integrations: IntegrationsDep
) -> WebhookPublic:
    return WebhookPublic.from_domain(_own(integrations, access, webhook_id))


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(404),
)
def delete_webhook(webhook_id: WebhookId, access: SiteDep, integrations: IntegrationsDep) -> None:
    """Stop deliveries to the webhook; its delivery log stays readable."""
    _own(integrations, access, webhook_id)
    integrations.webhooks.disable(webhook_id)


@router.get("/{webhook_id}/deliveries", responses=errors(404))
def list_deliveries(
    webhook_id: WebhookId,
    access: SiteDep,
    integrations: IntegrationsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="From next_before.")
    ] = None,
) -> DeliveryPage:
    """Every attempt to deliver an event to the webhook, newest first."""
    _own(integrations, access, webhook_id)
    attempts = integrations.webhooks.deliveries(webhook_id=webhook_id, limit=limit, before=before)
    return DeliveryPage(
        items=[DeliveryPublic.from_domain(a) for a in attempts],
        next_before=attempts[-1].id if len(attempts) == limit else None,
    )
