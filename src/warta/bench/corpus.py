"""The text the benchmarks translate: FLORES sentences as short articles, and the demo articles.

Both sides of every comparison get the same units: :func:`model_texts` runs warta's own
validation, segmentation and preparation (placeholders) to list exactly the strings the pipeline
sends to the engine, so the raw-engine side translates the same sequences, pre-tokenised.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from warta.domain import ArticleDraft, Glossary
from warta.ingest.validate import Validator
from warta.languages import Lang
from warta.pipeline import document_for
from warta.text import prepare

SITE = "bench"
SENTENCES_PER_ARTICLE = 10  # a title and three paragraphs of three sentences
SENTENCES_PER_PARAGRAPH = 3


@dataclass(frozen=True, slots=True)
class Corpus:
    """Articles and the model texts the pipeline will send for them (one target language)."""

    name: str
    drafts: tuple[ArticleDraft, ...]
    segments: tuple[str, ...]
    source_units: int  # FLORES lines used
    dropped: tuple[str, ...] = ()  # lines left out because they repeat a sentence

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "articles": len(self.drafts),
            "source_units": self.source_units,
            "segments": len(self.segments),
            "lines_dropped": len(self.dropped),
            "dropped": list(self.dropped),
        }


def flores_lines(flores_dir: Path, *, limit: int | None = None) -> list[str]:
    path = flores_dir / "id.txt"
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    return lines[:limit] if limit is not None else lines


def flores_articles(lines: Sequence[str], *, site: str = SITE) -> list[ArticleDraft]:
    """Consecutive lines grouped as articles: a title, then paragraphs of three sentences."""
    drafts: list[ArticleDraft] = []
    for start in range(0, len(lines), SENTENCES_PER_ARTICLE):
        group = lines[start : start + SENTENCES_PER_ARTICLE]
        rest = group[1:] or group[:1]
        paragraphs = [
            rest[i : i + SENTENCES_PER_PARAGRAPH]
            for i in range(0, len(rest), SENTENCES_PER_PARAGRAPH)
        ]
        body = "".join(
            "<p>" + " ".join(html.escape(s, quote=False) for s in p) + "</p>" for p in paragraphs
        )
        drafts.append(
            ArticleDraft(
                site=site, external_id=f"flores-{start:04d}", title=group[0], body_html=body
            )
        )
    return drafts


def demo_drafts(
    *, validator: Validator, site: str = SITE, limit: int | None = None
) -> list[ArticleDraft]:
    """The 60 IndoSum sample articles shipped with warta (validated, as ingest stores them)."""
    from dataclasses import replace

    from warta.demo import demo_articles_path
    from warta.ingest.sources import open_source

    drafts = [
        replace(item.draft, site=site)
        for item in open_source(demo_articles_path(), site=site, validator=validator)
        if item.draft is not None
    ]
    return drafts[:limit] if limit is not None else drafts


def model_texts(
    drafts: Sequence[ArticleDraft], *, validator: Validator, target: Lang = Lang.EN
) -> list[str]:
    """What the pipeline sends to the engine for ``drafts`` with an empty translation memory."""
    texts: list[str] = []
    for draft in drafts:
        clean = validator.validate(draft)
        document = document_for(title=clean.title, lead=clean.lead, body_html=clean.body_html)
        for segment in document.segments:
            if segment.translate:
                texts.append(prepare(segment, target=target, glossary=Glossary.empty()).model_text)
    return texts


def unique_lines(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """Lines whose sentences all differ from earlier lines' (kept), and the others (dropped).

    A few FLORES lines repeat a sentence of the line before, or end in a stray quote mark that
    the segmenter keeps as a sentence of its own; translation memory would then serve the
    repeat, and the pipeline would translate fewer segments than the raw engine.
    """
    seen: set[str] = set()
    kept: list[str] = []
    dropped: list[str] = []
    for line in lines:
        body = "<p>" + html.escape(line, quote=False) + "</p>"
        document = document_for(title="Berita.", lead="", body_html=body)
        sentences = [s.html for s in document.segments if s.block > 0]
        if len(set(sentences)) < len(sentences) or any(s in seen for s in sentences):
            dropped.append(line)
            continue
        seen.update(sentences)
        kept.append(line)
    return kept, dropped


def flores_corpus(flores_dir: Path, *, limit: int | None, validator: Validator) -> Corpus:
    """The first ``limit`` FLORES lines as articles, without lines that repeat a sentence."""
    lines, dropped = unique_lines(flores_lines(flores_dir, limit=limit))
    drafts = flores_articles(lines)
    segments = model_texts(drafts, validator=validator)
    keys = [key for draft in drafts for key in segment_keys(draft, validator=validator)]
    if len(set(keys)) != len(keys):
        raise ValueError(
            "the FLORES articles still repeat a sentence; translation memory would serve it and "
            "the two sides would do different work"
        )
    return Corpus(
        name=f"flores101-dev id, first {len(lines) + len(dropped)} lines",
        drafts=tuple(drafts),
        segments=tuple(segments),
        source_units=len(lines),
        dropped=tuple(dropped),
    )


def segment_keys(draft: ArticleDraft, *, validator: Validator) -> list[str]:
    """The translation-memory keys (sentence HTML) of a draft's translatable segments."""
    clean = validator.validate(draft)
    document = document_for(title=clean.title, lead=clean.lead, body_html=clean.body_html)
    return [s.html for s in document.segments if s.translate]


def tokenize(texts: Sequence[str], *, spm_path: Path) -> list[list[str]]:
    """SentencePiece pieces plus ``</s>``: what warta's engine feeds a Marian model."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(spm_path))
    pieces: list[list[str]] = processor.encode(list(texts), out_type=str)
    return [[*p, "</s>"] for p in pieces]
