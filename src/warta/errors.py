"""The errors warta raises, as one hierarchy.

Every error carries a human message that names the problem, a ``hint`` that names the fix, a stable
machine-readable ``code`` and a ``context`` mapping (article id, language pair, model path,
field...).
The HTTP mapping lives in exactly one place (:mod:`warta.api.errors`); the CLI maps every
:class:`WartaError` to exit code 2 (bad input) or 1 (anything else) in :mod:`warta.cli`.

::

    WartaError
    ├── ConfigError                      settings that cannot work
    │   └── UnreachableError             a database or broker URL that cannot be used at
    │                                    start (also an InputError: the CLI exits 2)
    ├── InputError                       the caller sent something warta refuses (HTTP 4xx, exit 2)
    │   ├── UnknownLanguageError
    │   ├── EmptyArticleError
    │   ├── ArticleTooLargeError
    │   ├── EncodingError                not UTF-8
    │   ├── NotIndonesianError
    │   ├── MarkupError                  HTML that cannot be read as an article
    │   ├── FieldError                   a field of a record has the wrong type or value
    │   ├── IngestError                  a file, folder or feed that cannot be read
    │   ├── RequestTooLargeError         a request body over the API's size limit (HTTP 413)
    │   └── RequestTimeoutError          a request body that did not arrive in time (HTTP 408)
    ├── EngineError                      translation engines and models
    │   ├── ModelNotFoundError
    │   ├── UnsupportedLanguagePairError
    │   ├── ModelDownloadError
    │   ├── ModelConversionError
    │   ├── EngineAuthError              a remote engine refused its key (401/403): disabled
    │   ├── EngineRateLimitError         429 (retry_after): retried, then the fallback
    │   ├── EngineUnavailableError       5xx, timeout, connection refused: retried, then fallback
    │   └── EngineResponseError          malformed or misaligned answer: handed to the fallback
    ├── StoreError
    │   ├── NotFoundError
    │   └── ConflictError
    ├── QueueError
    │   └── LeaseLostError
    ├── AccessError                      who may call the API (HTTP 401/403)
    │   ├── AuthenticationError          no, an unknown or a revoked API key or login session
    │   └── ForbiddenError               authenticated, but not allowed (e.g. no CSRF header)
    └── RateLimitError                   too many requests for one key (HTTP 429, retry_after)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class WartaError(Exception):
    """Base class. ``str(err)`` is the message followed by the hint."""

    code: ClassVar[str] = "warta_error"
    default_hint: ClassVar[str] = ""

    def __init__(self, message: str, *, hint: str = "", **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint or self.default_hint
        self.context: Mapping[str, Any] = context

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used by the API and by ``--format json`` in the CLI."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        if self.context:
            body["context"] = {k: _jsonable(v) for k, v in self.context.items()}
        return body


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


class ConfigError(WartaError):
    code = "config_error"


class InputError(WartaError):
    code = "invalid_input"


class UnreachableError(ConfigError, InputError):
    """A database or broker named by the settings cannot be read or reached when a process
    starts. The message names the URL (password redacted); the hint names the setting to check.
    Like invalid settings, the CLI reports it with exit code 2: the operator fixes the URL or
    starts the server, retrying would not help."""

    code = "unreachable"


class UnknownLanguageError(InputError):
    code = "unknown_language"

    def __init__(self, lang: str, *, hint: str = "", message: str = "") -> None:
        super().__init__(
            message or f"unknown language code {lang!r}",
            hint=hint or "use one of id, en, zh, ja, ar, fr",
            lang=lang,
        )


class EmptyArticleError(InputError):
    code = "empty_article"
    default_hint = "send a title and at least one paragraph of Indonesian text"


class ArticleTooLargeError(InputError):
    code = "article_too_large"
    default_hint = "split the article or raise WARTA_MAX_ARTICLE_BYTES"


class EncodingError(InputError):
    code = "bad_encoding"
    default_hint = "save the file as UTF-8 and send it again"


class NotIndonesianError(InputError):
    code = "not_indonesian"
    default_hint = "warta translates from Indonesian; send the Indonesian original"


class MarkupError(InputError):
    code = "bad_markup"
    default_hint = "send well-formed HTML with the article text in block elements such as <p>"


class FieldError(InputError):
    code = "invalid_field"


class IngestError(InputError):
    code = "ingest_error"


class EngineError(WartaError):
    code = "engine_error"


class ModelNotFoundError(EngineError):
    code = "model_not_found"
    default_hint = (
        "register one with `warta models add PATH --source id --target LANG` "
        "or `warta models pull NAME`"
    )


class UnsupportedLanguagePairError(EngineError):
    code = "unsupported_language_pair"


class ModelDownloadError(EngineError):
    code = "model_download_failed"


class ModelConversionError(EngineError):
    code = "model_conversion_failed"


class EngineAuthError(EngineError):
    """A remote engine refused its key (HTTP 401/403) or has none: permanent, the engine is
    disabled and reported, never retried. ``context["engine"]`` names it; never the key."""

    code = "engine_auth_failed"
    default_hint = (
        "set a valid key in the environment variable named by the engine's key_env (or in the "
        "secrets file), then `warta engines enable NAME`"
    )


class EngineRateLimitError(EngineError):
    """The remote engine answered 429; ``retry_after``: the seconds it asked to wait (or None)."""

    code = "engine_rate_limited"
    default_hint = "wait, lower the engine's concurrency or raise its quota; the fallback runs"

    def __init__(
        self, message: str, *, retry_after: float | None = None, hint: str = "", **context: Any
    ) -> None:
        super().__init__(message, hint=hint, retry_after=retry_after, **context)
        self.retry_after = retry_after


class EngineUnavailableError(EngineError):
    """Transient: a 5xx answer, a timeout or a connection error (after the client's retries)."""

    code = "engine_unavailable"
    default_hint = "check that the engine's server is up and reachable; the fallback runs"


class EngineResponseError(EngineError):
    """The engine answered, but not usably: malformed, misaligned, segments or placeholders
    dropped. Handed to the fallback; alignment is never guessed."""

    code = "engine_bad_response"
    default_hint = "the engine's answer could not be used; the fallback translated the segments"


class StoreError(WartaError):
    code = "store_error"


class NotFoundError(StoreError):
    code = "not_found"


class ConflictError(StoreError):
    code = "conflict"


class QueueError(WartaError):
    code = "queue_error"


class LeaseLostError(QueueError):
    code = "lease_lost"
    default_hint = (
        "another worker took the job over after the lease expired; its result was discarded"
    )


class AccessError(WartaError):
    code = "access_denied"


class AuthenticationError(AccessError):
    code = "unauthenticated"
    default_hint = (
        "send `Authorization: Bearer KEY` with a key made by `warta keys create --site SITE`"
    )


class ForbiddenError(AccessError):
    code = "forbidden"


class RateLimitError(WartaError):
    """Too many requests; ``context["retry_after"]`` is the number of seconds to wait."""

    code = "rate_limited"
    default_hint = "wait for the number of seconds in Retry-After, then send the request again"


class RequestTooLargeError(InputError):
    code = "request_too_large"
    default_hint = "send a smaller request (split the article or shorten the body)"


class RequestTimeoutError(InputError):
    code = "request_timeout"
    default_hint = "send the whole request body without pausing, then try again"
