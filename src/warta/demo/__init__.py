"""Demo content: 60 real Indonesian news articles from IndoSum (CC BY-SA 4.0); see README.md."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from warta.ingest.sources import open_source
from warta.newsroom import Newsroom
from warta.store.repository import Store

DEMO_SITE = "demo"


def demo_articles_path() -> Path:
    with as_file(files("warta.demo") / "indosum-sample.jsonl") as path:
        return Path(path)


def load_demo(*, store: Store, newsroom: Newsroom, site: str = DEMO_SITE) -> tuple[int, int]:
    """Create the demo site and store the sample articles; returns (stored, refused)."""
    store.get_or_create_site(slug=site, name="Warta Demo")
    stored = refused = 0
    for item in open_source(demo_articles_path(), site=site, validator=newsroom.validator):
        if item.draft is None:
            refused += 1
            continue
        result = newsroom.submit(item.draft)
        stored += int(result.new_revision)
    return stored, refused
