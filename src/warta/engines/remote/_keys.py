"""Where remote engines' keys come from: an environment variable named in the engine's
configuration (``key_env``), else a secrets file (TOML or JSON: engine name -> key) named in the
settings (``WARTA_ENGINE_SECRETS_FILE``). Keys are never stored in the database, logged, or put
in errors or provenance; a configuration names the variable, never the key.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from warta.errors import ConfigError


@dataclass(frozen=True, slots=True)
class KeySource:
    """Looks keys up; ``environ`` defaults to the process environment."""

    secrets_file: Path | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def key(self, name: str, *, key_env: str = "") -> str | None:
        """The key of engine ``name``: ``$key_env`` if set and not empty, else the secrets
        file's entry for ``name``; None when neither has one."""
        if key_env:
            value = self.environ.get(key_env, "").strip()
            if value:
                return value
        if self.secrets_file is not None:
            value = str(self._secrets().get(name, "")).strip()
            if value:
                return value
        return None

    def _secrets(self) -> Mapping[str, object]:
        path = self.secrets_file
        assert path is not None  # noqa: S101 -- checked by the caller
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"the engine secrets file {path} cannot be read: {exc.strerror}",
                hint="fix WARTA_ENGINE_SECRETS_FILE or the file's permissions",
                path=str(path),
            ) from None
        try:
            data: object = (
                json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode())
            )
        except (ValueError, UnicodeDecodeError):  # the message could quote a key: not shown
            raise ConfigError(
                f"the engine secrets file {path} is not valid "
                + ("JSON" if path.suffix == ".json" else "TOML"),
                hint='write one line per engine: NAME = "KEY"',
                path=str(path),
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(
                f"the engine secrets file {path} is not a mapping of engine names to keys",
                hint='write one line per engine: NAME = "KEY"',
                path=str(path),
            )
        return data
