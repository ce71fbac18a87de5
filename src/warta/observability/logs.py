"""Logging: the standard library's loggers (the code base uses ``logging.getLogger``), uvicorn's and
structlog's, all rendered by one handler on the root logger, as JSON lines or for a console.

Configured once per process by the ``warta`` command (:func:`warta.cli.main`) from
``WARTA_LOG_FORMAT`` (``json``, ``console``, or ``auto``: console when stderr is a terminal, JSON
otherwise) and ``WARTA_LOG_LEVEL`` (default ``INFO``). Every line carries:

``timestamp``
    ISO 8601, UTC;
``level``, ``logger``, ``event``
    the level name (lower case), the logger's name and the message;
the bound context
    whatever :func:`structlog.contextvars.bound_contextvars` holds where the line is logged: the
    worker binds ``site``, ``article``, ``revision``, ``job``, ``lang`` and ``worker`` around each
    job's lines;
``extra=`` fields
    of a stdlib call (``log.info("...", extra={"engine": name})``);
``exception``
    the formatted traceback, for ``log.exception(...)`` and ``exc_info=True``.

A JSON line::

    {"event": "edition recorded", "job": 42, "lang": "en", "level": "info",
     "logger": "warta.workers.runner", "timestamp": "2026-12-04T18:30:00.123456Z", ...}

uvicorn configures its own loggers when it starts unless it is given ``log_config=None``;
:func:`configure_logging` points them at the root logger, and :func:`uvicorn_log_config` is what
to hand ``uvicorn.run(log_config=...)`` so that it keeps them there.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, TYPE_CHECKING, Any, Literal

import structlog
from structlog.typing import Processor

if TYPE_CHECKING:
    from warta.config import Settings

__all__ = [
    "LOG_LEVELS",
    "LogFormat",
    "configure_from_environment",
    "configure_from_settings",
    "configure_logging",
    "uvicorn_log_config",
]

LogFormat = Literal["auto", "json", "console"]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class _RootHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler :func:`configure_logging` puts on the root logger. Without a stream of
    its own it writes to ``sys.stderr`` as it is when a line is logged (not when configured), so
    a swapped stderr (click's test runner, pytest's capture) is followed, never kept after close.
    """

    def __init__(self, stream: IO[str] | None) -> None:
        super().__init__(stream)
        self._fixed = stream

    @property
    def stream(self) -> IO[str]:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: IO[str] | None) -> None:
        self._fixed = value


def configure_logging(
    *, fmt: LogFormat = "auto", level: str = "INFO", stream: IO[str] | None = None
) -> logging.Handler:
    """Route every log line of this process through structlog's formatter; the handler installed.

    Calling it again replaces what the previous call installed (nothing else on the root logger
    is touched). ``stream``: where lines go (default: ``sys.stderr`` at the time of each line).
    """
    name = level.upper()
    if name not in LOG_LEVELS:
        raise ValueError(f"log level {level!r}: use one of {', '.join(LOG_LEVELS)}")
    target = stream if stream is not None else sys.stderr
    json_lines = fmt == "json" or (fmt == "auto" and not _is_terminal(target))
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if json_lines:
        renderer = structlog.processors.JSONRenderer(sort_keys=True)
        finish: list[Processor] = [structlog.processors.format_exc_info, renderer]
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=_is_terminal(target))
        finish = [renderer]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *finish],
    )
    handler = _RootHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _RootHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(name)
    # Alembic lists every plugin it loads, at INFO, on each migration check: DEBUG detail.
    logging.getLogger("alembic.runtime.plugins").setLevel("DEBUG" if name == "DEBUG" else "WARNING")
    for logger_name in UVICORN_LOGGERS:  # into the root logger, not uvicorn's own handlers
        uvicorn_logger = logging.getLogger(logger_name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)  # the root's level decides (a run may have set one)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler


def configure_from_settings(settings: Settings) -> logging.Handler:
    """:func:`configure_logging` as ``settings`` say (``log_format``, ``log_level``): for the
    entry of a process started with settings in hand (a spawned worker or server process)."""
    return configure_logging(fmt=settings.log_format, level=settings.log_level)


def configure_from_environment() -> logging.Handler:
    """:func:`configure_logging` from ``WARTA_LOG_FORMAT`` and ``WARTA_LOG_LEVEL``; with the
    defaults when the settings do not validate (the command then reports why)."""
    from warta.config import Settings

    try:
        settings = Settings()
    except ValueError:  # pydantic's ValidationError; the CLI names the bad setting
        return configure_logging()
    return configure_from_settings(settings)


def uvicorn_log_config() -> dict[str, Any]:
    """``uvicorn.run(log_config=...)`` that keeps uvicorn's lines on the root logger (JSON or
    console, as configured) instead of installing uvicorn's own handlers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {name: {"handlers": [], "propagate": True} for name in UVICORN_LOGGERS},
    }


def _is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False
