"""Typed FastAPI dependencies shared by the API routers (and the web pages)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import State

from warta.errors import FieldError
from warta.integrations import Integrations, build_integrations
from warta.services import Services


def get_services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)  # noqa: S101 -- set by create_app
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def integrations_of(state: State, services: Services) -> Integrations:
    """The app's :class:`Integrations` (``app.state.integrations``).

    :func:`warta.api.errors.install` builds it with the app; an app assembled without it gets one
    built here on first use.
    """
    found = getattr(state, "integrations", None)
    if not isinstance(found, Integrations):
        found = build_integrations(services)
        state.integrations = found
    return found


def get_integrations(request: Request, services: ServicesDep) -> Integrations:
    return integrations_of(request.app.state, services)


IntegrationsDep = Annotated[Integrations, Depends(get_integrations)]


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def reject_control_characters(request: Request) -> None:
    """A path or query value holding a control character is a 422 naming it.

    No id, language, cursor, time or category warta stores holds one, and PostgreSQL text cannot
    hold NUL at all (a query with one fails in the driver).
    """
    values = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in values:
        found = _CONTROL.search(value) if isinstance(value, str) else None
        if found is not None:
            raise FieldError(
                f"{name[:60]} holds a control character (U+{ord(found[0]):04X})",
                hint=f"remove control characters such as NUL, tab and newline from `{name[:60]}`",
                field=name[:60],
            )


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def reject_unknown_query(request: Request) -> None:
    """A query parameter the endpoint does not know is a 422 naming it (a typo such as
    ``?sinse=`` must not silently list everything)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route.dependant)
    for name in request.query_params:
        if name not in known:
            raise FieldError(
                f"unknown query parameter {name[:60]!r}",
                hint="this endpoint takes "
                + (", ".join(sorted(known)) if known else "no query parameters")
                + " (see /api/docs)",
                field=name[:60],
            )
