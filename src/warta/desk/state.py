"""What the desk keeps between requests (on ``app.state.desk``): templates, catalogues, the
static files' version. Built once by :func:`warta.desk.mount_desk`; nothing global."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape

from warta.desk.i18n import load_desk_catalogues
from warta.errors import ConfigError
from warta.languages import Lang
from warta.web.i18n import Translator


def make_desk_templates() -> Environment:
    env = Environment(
        loader=PackageLoader("warta.desk", "templates"),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def assets_version() -> str:
    """A short hash of the desk's and the site's static files (cache busting)."""
    digest = hashlib.sha256()
    for package, name in (
        ("warta.web", "site.css"),
        ("warta.desk", "desk.css"),
        ("warta.desk", "desk.js"),
    ):
        digest.update((files(package) / "static" / name).read_bytes())
    return digest.hexdigest()[:10]


@dataclass
class DeskState:
    templates: Environment
    translators: Mapping[Lang, Translator]
    assets_version: str

    @classmethod
    def build(cls) -> DeskState:
        return cls(
            templates=make_desk_templates(),
            translators=load_desk_catalogues(),
            assets_version=assets_version(),
        )


def desk_state(request: Request) -> DeskState:
    state = getattr(request.app.state, "desk", None)
    if not isinstance(state, DeskState):  # pragma: no cover -- mount_desk sets it
        raise ConfigError("the review desk is not set up", hint="build the app with create_app()")
    return state
