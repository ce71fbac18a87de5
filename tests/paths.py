"""Where the suite's data lives (the project ships its own copies; see data/README.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"
DEMO_ARTICLES = ROOT / "src" / "warta" / "demo" / "indosum-sample.jsonl"
