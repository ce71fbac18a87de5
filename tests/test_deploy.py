"""The container deployment (Dockerfile, compose.yaml, warta.env) against the code it starts.

No image is built here (that needs a registry); what can drift is checked instead: every command
the containers run parses with warta's own click group, the web health checks run as they would in
the container against the app served by uvicorn, every WARTA_* variable is a field of Settings
with a valid value, and, where Debian's docker-compose (or the compose plugin) is installed,
Compose itself accepts the file.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click
import pytest
import uvicorn
import yaml
from tests.paths import ROOT

from warta.cli import cli
from warta.config import Settings
from warta.services import build_services
from warta.web.app import create_app

COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
WARTA_SERVICES = ("migrate", "web", "worker", "dispatcher", "webhooks")
URL_PATH = re.compile(r"http://127\.0\.0\.1:8000(/[\w/-]*)")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, sorted(services)
    found = services[name]
    assert isinstance(found, dict)
    return found


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, rest), continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, rest = (pending + line).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def instruction(keyword: str) -> str:
    found = [rest for key, rest in dockerfile() if key == keyword]
    assert found, f"no {keyword} in the Dockerfile"
    return found[-1]  # the runtime stage's, when stages repeat one


def check_command(argv: list[str]) -> click.Command:
    """Parse argv (``warta ...``) with warta's click group without running it: an unknown
    command or option raises click's UsageError."""
    assert argv[0] == "warta", argv
    command: click.Command = cli
    ctx = cli.make_context("warta", [], resilient_parsing=True)
    args = list(argv[1:])
    while isinstance(command, click.Group):
        assert args, f"`{' '.join(argv)}` names a group, not a command"
        name = args.pop(0)
        sub = command.get_command(ctx, name)
        assert sub is not None, f"`{' '.join(argv)}`: warta has no command {name!r}"
        if isinstance(sub, click.Group):
            ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
        else:
            sub.make_context(name, args, parent=ctx)  # options parsed, nothing run
        command = sub
    return command


def health_command(spec: dict[str, Any]) -> list[str]:
    test = spec["healthcheck"]["test"]
    assert isinstance(test, list), test
    assert test[0] == "CMD", test
    return [str(part) for part in test[1:]]


def test_compose_runs_web_workers_postgres_and_redis_each_with_a_health_check():
    for name in ("web", "worker", "postgres", "redis"):
        check = service(name)["healthcheck"]
        assert not check.get("disable", False), name
        assert check["test"][0] == "CMD", name
    assert "pg_isready" in service("postgres")["healthcheck"]["test"]
    assert service("postgres")["image"] == "postgres:15"
    assert service("redis")["image"] == "redis:7"
    assert service("redis")["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


def test_processes_start_after_the_one_shot_migration_and_healthy_services():
    assert service("migrate")["command"] == ["warta", "db", "upgrade"]
    assert service("migrate")["restart"] == "no"
    for name in ("web", "worker", "dispatcher", "webhooks"):
        depends = service(name)["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name


def test_every_command_the_containers_run_is_a_warta_command_with_valid_options():
    commands = {name: service(name)["command"] for name in WARTA_SERVICES}
    commands["Dockerfile CMD"] = json.loads(instruction("CMD"))
    for where, argv in commands.items():
        assert isinstance(argv, list), (where, argv)
        check_command(argv)
    assert commands["web"] == ["warta", "serve", "--host", "0.0.0.0", "--no-worker"]  # noqa: S104
    assert commands["Dockerfile CMD"] == commands["web"]
    assert commands["worker"][:3] == ["warta", "celery", "worker"]


def test_the_command_check_rejects_what_warta_does_not_have():
    with pytest.raises(AssertionError, match="no command 'celeri'"):
        check_command(["warta", "celeri", "worker"])
    with pytest.raises(click.UsageError):
        check_command(["warta", "celery", "worker", "--concurency", "2"])


HEALTH_CHECKS: dict[str, Callable[[], list[str]]] = {
    "Dockerfile HEALTHCHECK": lambda: json.loads(instruction("HEALTHCHECK").split("CMD", 1)[1]),
    "compose web healthcheck": lambda: health_command(service("web")),
}


@contextmanager
def serving(home: Path, *, trusted_hosts: str) -> Iterator[int]:
    """The real app (uvicorn, a thread) on 127.0.0.1 and a free port, as `warta serve` runs it."""
    hosts = tuple(host for host in trusted_hosts.split(",") if host)
    services = build_services(Settings(home=home, trusted_hosts=hosts))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-deploy", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        services.close()


@pytest.fixture(scope="module")
def app_on(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], int]]:
    """Start (once per value) the app with WARTA_TRUSTED_HOSTS set to the value; its port."""
    ports: dict[str, int] = {}
    with ExitStack() as stack:

        def start(trusted_hosts: str) -> int:
            if trusted_hosts not in ports:
                home = tmp_path_factory.mktemp("deploy-app")
                ports[trusted_hosts] = stack.enter_context(
                    serving(home, trusted_hosts=trusted_hosts)
                )
            return ports[trusted_hosts]

        yield start


def run_health_check(
    argv: list[str], *, port: int, trusted_hosts: str | None
) -> subprocess.CompletedProcess[str]:
    """Run a container's health check here: its Python, the app's port for 8000, and the
    container's WARTA_TRUSTED_HOSTS (None: unset)."""
    assert argv[:2] == ["python", "-c"], argv
    assert len(URL_PATH.findall(argv[2])) == 1, argv
    snippet = argv[2].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    env = {k: v for k, v in os.environ.items() if k != "WARTA_TRUSTED_HOSTS"}
    if trusted_hosts is not None:
        env["WARTA_TRUSTED_HOSTS"] = trusted_hosts
    return subprocess.run(
        [sys.executable, "-c", snippet],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize("trusted_hosts", ["", "*.berita.example,berita.example"])
@pytest.mark.parametrize("where", sorted(HEALTH_CHECKS))
def test_health_checks_pass_against_the_running_app(app_on, where, trusted_hosts):
    port = app_on(trusted_hosts)
    result = run_health_check(HEALTH_CHECKS[where](), port=port, trusted_hosts=trusted_hosts)
    assert result.returncode == 0, (where, result.stderr[-600:])


def test_a_health_check_passes_by_address_and_fails_on_a_missing_route(app_on):
    port = app_on("berita.example")
    check = HEALTH_CHECKS["Dockerfile HEALTHCHECK"]()
    # probes are exempt from WARTA_TRUSTED_HOSTS: orchestrators call them by address
    by_address = run_health_check(check, port=port, trusted_hosts=None)  # Host: 127.0.0.1
    assert by_address.returncode == 0, by_address.stderr[-600:]
    missing = [*check[:2], check[2].replace("/healthz", "/no-such-path")]
    assert run_health_check(missing, port=port, trusted_hosts="berita.example").returncode == 1


def test_worker_health_check_pings_this_container_over_the_broker():
    argv = health_command(service("worker"))
    assert argv[:2] == ["python", "-c"]
    compile(argv[2], "worker healthcheck", "exec")
    assert "control.ping" in argv[2]
    assert "os.environ['WARTA_BROKER_URL']" in argv[2]


def warta_environment(name: str) -> dict[str, str]:
    env = service(name)["environment"]
    assert isinstance(env, dict), env
    return {key: str(value) for key, value in env.items()}


def test_every_warta_variable_in_compose_and_warta_env_is_a_setting():
    fields = set(Settings.model_fields)
    named: dict[str, str] = {}
    for name in WARTA_SERVICES:
        named |= {k: v for k, v in warta_environment(name).items() if k.startswith("WARTA_")}
    template = (ROOT / "warta.env").read_text(encoding="utf-8")
    named |= dict(re.findall(r"^# (WARTA_[A-Z_]+)=(.*)$", template, flags=re.MULTILINE))
    assert {"WARTA_HOME", "WARTA_DATABASE_URL", "WARTA_BROKER_URL", "WARTA_BEAM_SIZE"} <= set(named)
    unknown = {key for key in named if key.removeprefix("WARTA_").lower() not in fields}
    assert not unknown, f"not fields of warta.config.Settings: {sorted(unknown)}"


def test_compose_and_warta_env_values_build_valid_settings(monkeypatch: pytest.MonkeyPatch):
    env = warta_environment("web")
    template = (ROOT / "warta.env").read_text(encoding="utf-8")
    env |= dict(re.findall(r"^# (WARTA_[A-Z_]+)=(.*)$", template, flags=re.MULTILINE))
    for key, value in env.items():
        monkeypatch.setenv(key, value.replace("${POSTGRES_PASSWORD:-warta}", "warta"))
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://warta:warta@postgres:5432/warta"
    assert settings.broker_url == "redis://redis:6379/0"
    assert settings.public_urls == {"demo": "https://berita.example"}
    assert str(settings.home) == env["WARTA_HOME"]


def test_image_and_compose_share_one_data_directory_for_models():
    runtime_env = instruction("ENV")
    assert "WARTA_HOME=/var/lib/warta" in runtime_env
    assert json.loads(instruction("VOLUME")) == ["/var/lib/warta"]
    for name in ("migrate", "web", "worker", "dispatcher", "webhooks"):
        assert warta_environment(name)["WARTA_HOME"] == "/var/lib/warta", name
        assert "warta-home:/var/lib/warta" in service(name)["volumes"], name
    assert "warta-home" in compose()["volumes"]


def test_image_is_slim_python_311_and_runs_unprivileged_on_port_8000():
    froms = [rest for key, rest in dockerfile() if key == "FROM"]
    assert len(froms) == 2, froms  # build, then runtime
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in DOCKERFILE.read_text(encoding="utf-8")
    assert instruction("USER") not in ("root", "0")
    assert instruction("EXPOSE") == "8000"
    assert instruction("ARG") == 'WARTA_EXTRAS=""'  # no extra by default, never "test"


def test_build_context_leaves_out_environments_history_results_and_secrets():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", "artifacts", "bench/results", ".env", "*.env"} <= ignored
    copied = [
        rest.split()[:-1] for key, rest in dockerfile() if key == "COPY" and "--from" not in rest
    ]
    assert [src for srcs in copied for src in srcs] == ["pyproject.toml", "README.md", "src"]


@functools.cache
def compose_tool() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if docker:
        plugin = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, check=False
        )
        if plugin.returncode == 0:
            return [docker, "compose"]
    return None


needs_compose = pytest.mark.skipif(
    compose_tool() is None,
    reason="needs Docker Compose to validate compose.yaml (apt-get install docker-compose)",
)


def compose_config(tool: list[str], directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*tool, "-f", str(directory / "compose.yaml"), "config", "-q"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@needs_compose
def test_docker_compose_accepts_compose_yaml():
    tool = compose_tool()
    assert tool is not None
    result = compose_config(tool, ROOT)
    assert result.returncode == 0, result.stderr


@needs_compose
def test_docker_compose_refuses_a_broken_copy(tmp_path: Path):
    tool = compose_tool()
    assert tool is not None
    shutil.copy(ROOT / "warta.env", tmp_path / "warta.env")
    text = COMPOSE.read_text(encoding="utf-8")
    (tmp_path / "compose.yaml").write_text(text, encoding="utf-8")
    assert compose_config(tool, tmp_path).returncode == 0  # the copy alone is fine
    broken = text.replace("service_completed_successfully", "service_finished")
    assert broken != text
    (tmp_path / "compose.yaml").write_text(broken, encoding="utf-8")
    result = compose_config(tool, tmp_path)
    assert result.returncode != 0, result.stdout
