"""Log lines as JSON (or for a console) with the bound context (warta.observability.logs)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import structlog
from structlog.contextvars import bound_contextvars
from tests.dbfixtures import make_draft

from warta.cli import main
from warta.config import Settings
from warta.engines.fake import FakeEngine
from warta.languages import Lang
from warta.observability.logs import (
    UVICORN_LOGGERS,
    configure_logging,
    uvicorn_log_config,
)
from warta.services import Services


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes the process's logging: put it back after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    plugins = logging.getLogger("alembic.runtime.plugins").level
    uvicorn = {
        n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate)
        for n in UVICORN_LOGGERS
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, (old, propagate) in uvicorn.items():
            logging.getLogger(name).handlers[:] = old
            logging.getLogger(name).propagate = propagate
        logging.getLogger("alembic.runtime.plugins").setLevel(plugins)
        structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_stdlib_lines_are_json_with_the_bound_job_and_language() -> None:
    out = io.StringIO()
    configure_logging(fmt="json", level="INFO", stream=out)

    with bound_contextvars(job=42, lang="en", site=3):
        logging.getLogger("warta.workers.runner").info("recorded %s edition", "en")
    logging.getLogger("warta.workers.runner").info("between jobs")

    first, second = lines(out)
    assert first["event"] == "recorded en edition"
    assert first["level"] == "info"
    assert first["logger"] == "warta.workers.runner"
    assert (first["job"], first["lang"], first["site"]) == (42, "en", 3)
    stamp = datetime.fromisoformat(str(first["timestamp"]))
    assert stamp.utcoffset() == timedelta(0)
    assert "job" not in second  # the context ends with its block


def test_exceptions_and_extra_fields_are_in_the_json_line() -> None:
    out = io.StringIO()
    configure_logging(fmt="json", stream=out)
    log = logging.getLogger("warta.test")

    try:
        int("the engine said no")
    except ValueError:
        log.exception("batch failed", extra={"engine": "deepl"})

    (line,) = lines(out)
    assert line["level"] == "error"
    assert line["engine"] == "deepl"
    assert "Traceback" in str(line["exception"])
    assert "ValueError: invalid literal for int()" in str(line["exception"])


def test_lines_below_the_level_are_dropped() -> None:
    out = io.StringIO()
    configure_logging(fmt="json", level="warning", stream=out)

    logging.getLogger("warta.test").info("not shown")
    logging.getLogger("warta.test").warning("shown")

    assert [line["event"] for line in lines(out)] == ["shown"]


def test_structlog_and_uvicorn_loggers_go_through_the_same_handler() -> None:
    out = io.StringIO()
    configure_logging(fmt="json", stream=out)
    logging.config.dictConfig(uvicorn_log_config())  # what `uvicorn.run(log_config=...)` does

    structlog.get_logger("warta.custom").info("structured", batch=5)
    logging.getLogger("uvicorn.error").info("Started server process")

    structured, server = lines(out)
    assert (structured["event"], structured["batch"], structured["logger"]) == (
        "structured",
        5,
        "warta.custom",
    )
    assert (server["event"], server["logger"]) == ("Started server process", "uvicorn.error")


def test_console_format_is_not_json_and_auto_picks_json_off_a_terminal() -> None:
    console, auto = io.StringIO(), io.StringIO()
    configure_logging(fmt="console", stream=console)
    logging.getLogger("warta.test").info("for people", extra={"job": 7})
    configure_logging(fmt="auto", stream=auto)  # a StringIO is no terminal
    logging.getLogger("warta.test").info("for machines")

    text = console.getvalue()
    assert "for people" in text
    assert "job=7" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])
    assert [line["event"] for line in lines(auto)] == ["for machines"]
    assert sum(type(h).__name__ == "_RootHandler" for h in logging.getLogger().handlers) == 1


def test_the_workers_own_lines_carry_site_article_revision_job_and_language(
    services: Services,
) -> None:
    services.store.create_site(slug="demo", name="Demo")
    result = services.newsroom.submit(make_draft("banjir", site="demo"))
    out = io.StringIO()
    configure_logging(fmt="json", stream=out)

    services.worker(engine=FakeEngine, targets=[Lang.EN]).run_until_idle()

    recorded = [line for line in lines(out) if str(line["event"]).startswith("recorded en")]
    assert len(recorded) == 1
    (line,) = recorded
    job = next(j for j in result.jobs if j.lang is Lang.EN)
    assert line["job"] == job.id
    assert line["lang"] == "en"
    assert line["revision"] == result.revision.id
    assert line["article"] == result.revision.article_id
    assert line["site"] == services.store.get_site("demo").id


def test_the_warta_command_configures_json_logs_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WARTA_LOG_FORMAT", "json")
    monkeypatch.setenv("WARTA_LOG_LEVEL", "debug")

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    logging.getLogger("warta.test").debug("after the command")

    assert exited.value.code == 0
    assert Settings().log_level == "DEBUG"
    err = capsys.readouterr().err
    (line,) = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    assert (line["event"], line["level"]) == ("after the command", "debug")
