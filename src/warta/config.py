"""Settings, validated once when built, then passed down explicitly (never imported as a global).

Every field can be set from the environment with the ``WARTA_`` prefix, e.g.
``WARTA_DATABASE_URL=postgresql+psycopg://warta@localhost/warta``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from warta.languages import TARGET_LANGS, Lang

Route = Literal["direct", "pivot"]


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "warta"


_PUBLIC_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARTA_", frozen=True, extra="forbid")

    home: Path = Field(default_factory=_default_home, description="data directory (db, models)")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in home")
    models_dir: Path | None = Field(
        default=None, description="where `models pull` writes; default home/models"
    )

    targets: tuple[Lang, ...] = TARGET_LANGS
    # How each target is reached: a direct id->X model, or id->en then en->X.
    routes: dict[Lang, Route] = Field(default_factory=dict)

    # Engine: CTranslate2 on CPU with int8 unless CUDA is present.
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "auto"  # "auto" = int8 on CPU, float16 on CUDA
    inter_threads: int = Field(default=1, ge=1)
    intra_threads: int = Field(default=0, ge=0)  # 0 = CTranslate2 picks
    beam_size: int = Field(default=4, ge=1, le=16)
    num_hypotheses: int = Field(default=1, ge=1, le=16, description="n-best reranked by QE")
    length_penalty: float = 1.0
    context_sentences: int = Field(
        default=0,
        ge=0,
        le=1,
        description="document context: 1 gives the previous sentence to models trained with it",
    )
    max_decoding_length: int = Field(default=256, ge=8, le=1024)
    batch_tokens: int = Field(default=2048, ge=64, description="max tokens in one engine batch")

    # Input limits.
    max_article_bytes: int = Field(default=512 * 1024, ge=1024)
    min_indonesian_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    max_segments: int = Field(
        default=2000,
        ge=10,
        description="sentences (segments) one article may have (docs/SECURITY.md)",
    )
    max_repeated_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="share of an article's sentences that may repeat an earlier one (articles of "
        "at least 20 sentences); above it the article is refused",
    )
    auth_failures_per_minute: int = Field(
        default=20,
        ge=1,
        description="failed API-key checks one client address may make per minute before 429",
    )
    trusted_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Host headers the site and API answer (Starlette TrustedHostMiddleware; "
        "'*.example.org' patterns allowed); empty: every host",
    )

    # Workers.
    job_lease_seconds: int = Field(
        default=30,
        ge=5,
        description="a worker's lease on its jobs, renewed every third of it while it works; "
        "a killed worker's jobs are taken over by others once it expires",
    )
    job_max_attempts: int = Field(
        default=3, ge=1, description="errors a job may raise before it is dead-lettered"
    )
    job_retry_base_seconds: float = Field(
        default=5.0,
        ge=0.0,
        description="backoff before a failed job's first retry; doubled for each next one "
        "(equal jitter: half of it for sure, the other half at random)",
    )
    job_retry_max_seconds: float = Field(
        default=600.0, ge=0.0, description="the longest backoff between two attempts of a job"
    )
    jobs_per_batch: int = Field(
        default=64,
        ge=1,
        description="jobs of one language translated in one engine call: bigger batches keep "
        "the engine busier (fewer part-filled batches), smaller ones store the first editions of "
        "a backlog sooner",
    )
    broker_url: str = Field(
        default="", description="Celery broker, e.g. redis://localhost:6379/0; empty: in-process"
    )

    # Operations (warta.observability).
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto",
        description="log lines as JSON or for a console; auto: console when stderr is a "
        "terminal, JSON otherwise",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="worker processes (`warta work`, Celery) serve Prometheus metrics on this "
        "port, every address, no token (keep it inside the network), from their first worker "
        "on; 0: off (the web app has /metrics)",
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="when set, /metrics asks for `Authorization: Bearer <token>`; empty: open",
    )

    default_site: str = "demo"

    engines_file: Path | None = Field(
        default=None,
        description="TOML file of engines and routes (warta.engines.setup); the database's "
        "`warta engines add` / `warta routes set` win over it for the same name or site+language",
    )
    engine_secrets_file: Path | None = Field(
        default=None,
        description="TOML or JSON file mapping engine names to API keys (read when an engine's "
        "key_env variable is not set); keep it out of version control, mode 600",
    )

    # Web site (warta.web).
    site_hosts: dict[str, str] = Field(
        default_factory=dict, description="Host header -> site slug; other hosts get default_site"
    )
    public_urls: dict[str, str] = Field(
        default_factory=dict,
        description="site slug -> public base URL (https://berita.example) for absolute links "
        "(canonical, hreflang, sitemaps, feeds); sites not named use the request's Host",
    )
    mark_doubtful_segments: bool = Field(
        default=True, description="mark sentences quality estimation doubted, for readers"
    )
    page_cache_seconds: int = Field(default=60, ge=0, description="Cache-Control max-age of pages")
    cache_check_ms: int = Field(
        default=250,
        ge=0,
        description="how often at most a cache hit re-reads the store's change counter "
        "(warta.web.fast); a page is never served stale for longer; 0: every hit asks the store",
    )
    stale_while_revalidate_seconds: int = Field(
        default=30, ge=0, description="Cache-Control stale-while-revalidate of pages (CDNs)"
    )
    stale_if_error_seconds: int = Field(
        default=86400, ge=0, description="Cache-Control stale-if-error of pages (CDNs)"
    )
    purge_url: str = Field(
        default="",
        description="URL POSTed a JSON {paths, tags} when editions change (CDN purge); empty: off",
    )
    publish_dir: Path | None = Field(
        default=None,
        description="folder of the static export (`warta publish`); when set, `warta serve` keeps "
        "it up to date as editions change",
    )

    @field_validator("targets", mode="before")
    @classmethod
    def _split_targets(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):  # WARTA_TRUSTED_HOSTS=news.example,*.news.example
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value  # WARTA_LOG_LEVEL=debug

    @field_validator("public_urls")
    @classmethod
    def _check_public_urls(cls, value: dict[str, str]) -> dict[str, str]:
        checked: dict[str, str] = {}
        for slug, url in value.items():
            base = url.strip().rstrip("/")
            if not _PUBLIC_URL.fullmatch(base):
                raise ValueError(
                    f"public_urls[{slug!r}] = {url!r} is not a base URL: give scheme and host "
                    "only, e.g. https://berita.example or http://localhost:8000"
                )
            checked[slug] = base
        return checked

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if Lang.ID in self.targets:
            raise ValueError("targets: Indonesian is the source language, not a target")
        if self.routes.get(Lang.EN) == "pivot":
            raise ValueError("routes: English cannot pivot through itself")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'warta.db'}"

    @property
    def resolved_models_dir(self) -> Path:
        return self.models_dir or self.home / "models"

    def route_for(self, target: Lang) -> Route:
        return self.routes.get(target, "direct")
