"""Fixtures shared by the whole suite: real services on a temporary SQLite home, tiny models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.paths import DATA
from tests.skips import missing_tools

from warta.config import Settings
from warta.domain import RegisteredModel
from warta.languages import TARGET_LANGS, Lang
from warta.services import Services, build_services


@pytest.fixture(scope="session")
def shared_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small Marian-family CTranslate2 model with random weights (real loading and batching)."""
    from warta.engines.testing import build_tiny_model

    corpus = (DATA / "flores101-dev" / "id.txt").read_text(encoding="utf-8").splitlines()[:400]
    return build_tiny_model(tmp_path_factory.mktemp("shared-tiny") / "tiny-id-x", corpus=corpus)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", beam_size=1, max_decoding_length=40, batch_tokens=512)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def register_tiny(
    services: Services, shared_tiny_model: Path
) -> Callable[..., list[RegisteredModel]]:
    """Register the tiny model for the given targets (default: all five editions)."""
    from warta.engines.models import inspect_model_dir

    info = inspect_model_dir(shared_tiny_model)

    def register(*targets: Lang) -> list[RegisteredModel]:
        return [
            services.store.add_model(
                RegisteredModel(
                    name="tiny-random",
                    path=str(shared_tiny_model),
                    source=Lang.ID,
                    target=target,
                    family=info.family,
                    checksum=info.checksum,
                )
            )
            for target in (targets or TARGET_LANGS)
        ]

    return register


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which tests this machine could not run, and what to install to run them."""
    lines = missing_tools(terminalreporter.stats.get("skipped", []))
    if lines:
        terminalreporter.section("not run on this machine, and what each needs")
        for line in lines:
            terminalreporter.write_line(line)
