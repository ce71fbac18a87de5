"""The gate every article passes before it is stored: decoding, limits, normalisation, sanitising,
the broken-HTML policy (:mod:`warta.ingest.markup`) and the language check
(:mod:`warta.ingest.language`).

:meth:`Validator.validate` checks, in this order, and raises the first problem it finds:

1. ``site`` is a slug (letters, digits, ``.``, ``_``, ``-``; at most 64 characters) and
   ``external_id`` is non-empty, at most 200 characters, without control characters or line
   breaks (:class:`FieldError` naming the field);
2. title, lead and body hold no lone UTF-16 surrogate (:class:`EncodingError`; they come from
   JSON ``\\ud8xx`` escapes and cannot be stored), and the UTF-8 size of title + lead + body as
   sent is at most ``max_bytes`` (:class:`ArticleTooLargeError` with the actual and the allowed
   size);
3. title and lead are plain text: a NUL or many control characters are refused (FieldError), a few
   stray control characters are dropped, whitespace is collapsed, text is NFC-normalised; an empty
   title is refused (:class:`EmptyArticleError`);
4. the body passes the markup policy (:class:`MarkupError` with line and column), is sanitised
   with :func:`~warta.ingest.sanitize.sanitize_html` and must keep some text (EmptyArticleError);
   its text nodes are NFC-normalised, runs of whitespace collapsed to one space and whitespace
   next to block tags removed, so that re-sending the same article with other formatting gives
   the same content hash;
5. the optional fields: category, author and tags are cleaned like the title (an empty one is
   dropped; tags are de-duplicated in order), ``source_url`` must be an absolute http(s) URL and
   ``published_at`` must carry a UTC offset and lie within the times the store can hold
   (:mod:`warta.ranges`; FieldError);
6. the article is of bounded cost to translate: at most ``max_segments`` sentences (a quick
   estimate from the sentence ends first, so that a body with over twice as many is refused before
   it is segmented, since segmenting costs more than linear time in some bodies; then the exact
   segmentation the pipeline uses), refused with
   :class:`ArticleTooLargeError`; and an article of at least :data:`REPETITION_MIN_SENTENCES`
   sentences of which more than ``max_repeated_share`` repeat an earlier one is refused with a
   :class:`FieldError` on ``body_html`` (each distinct sentence is translated once anyway, but
   a body of one sentence pasted thousands of times is an attack or an accident, not news);
7. the plain text of title + lead + body is Indonesian (:class:`NotIndonesianError` naming the
   detected language and its confidence).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from warta.domain import ArticleDraft
from warta.errors import (
    ArticleTooLargeError,
    ConfigError,
    EmptyArticleError,
    EncodingError,
    FieldError,
    MarkupError,
)
from warta.ingest.language import IndonesianCheck, Verdict
from warta.ingest.markup import check_binary, check_markup, plain_text, remove_controls
from warta.ingest.sanitize import sanitize_html
from warta.ranges import check_time
from warta.text import analyse

MAX_EXTERNAL_ID = 200
MAX_LABEL = 200  # category, author
MAX_TAG = 100
MAX_TAGS = 50
MAX_URL = 2048
MAX_SEGMENTS = 2000  # default of Settings.max_segments
MAX_REPEATED_SHARE = 0.5  # default of Settings.max_repeated_share
REPETITION_MIN_SENTENCES = 20  # shorter articles may repeat themselves (a refrain, a list)

_SITE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_BOM = b"\xef\xbb\xbf"
_TAG = re.compile(r"<(/?)([a-z0-9]*)[^>]*>")
_BLOCKS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "figure",
        "figcaption", "div", "hr", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Where a sentence may end: an upper bound on the segments `analyse` makes of a text.
_BREAKS = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*\s|\n")


class Validator:
    """Checks and normalises articles; one per process (it holds the language detector).

    ``max_bytes`` limits the UTF-8 size of title + lead + body; ``min_confidence`` is the
    Indonesian (+ Malay) confidence an article needs (see :mod:`warta.ingest.language`);
    ``max_segments`` and ``max_repeated_share`` bound what an article costs to translate
    (step 6 of the module docstring).
    """

    def __init__(
        self,
        *,
        max_bytes: int,
        min_confidence: float,
        max_segments: int = MAX_SEGMENTS,
        max_repeated_share: float = MAX_REPEATED_SHARE,
    ) -> None:
        if max_bytes < 1:
            raise ConfigError(f"max_bytes must be positive, got {max_bytes}", hint="raise it")
        if max_segments < 1:
            raise ConfigError(
                f"max_segments must be positive, got {max_segments}",
                hint="set WARTA_MAX_SEGMENTS to a positive number",
            )
        if not 0.0 <= max_repeated_share <= 1.0:
            raise ConfigError(
                f"max_repeated_share must be within [0, 1], got {max_repeated_share}",
                hint="set WARTA_MAX_REPEATED_SHARE between 0 and 1",
            )
        self._max_segments = max_segments
        self._max_repeated_share = max_repeated_share
        if not 0.0 <= min_confidence <= 1.0:
            raise ConfigError(
                f"min_confidence must be within [0, 1], got {min_confidence}",
                hint="set WARTA_MIN_INDONESIAN_CONFIDENCE between 0 and 1",
            )
        self._max_bytes = max_bytes
        self._language = IndonesianCheck(min_confidence=min_confidence)

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    @property
    def min_confidence(self) -> float:
        return self._language.min_confidence

    def warm_up(self) -> None:
        """Load the language models now (seconds, ~230 MB) instead of on the first article."""
        self._language.warm_up()

    def decode(self, data: bytes, *, origin: str) -> str:
        """Decode ``data`` as strict UTF-8 (a leading byte-order mark is accepted and dropped).

        Raises :class:`EncodingError` naming ``origin`` (a file name, "request body") and the byte
        offset, line and column of the first byte that is not UTF-8.
        """
        start = len(_BOM) if data.startswith(_BOM) else 0
        try:
            return data[start:].decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = start + exc.start
            line = data.count(b"\n", 0, offset) + 1
            column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
            raise EncodingError(
                f"{origin} is not UTF-8: byte 0x{data[offset]:02x} at offset {offset} "
                f"(line {line}, byte {column}) cannot be decoded",
                hint=_encoding_hint(data),
                origin=origin,
                offset=offset,
                line=line,
                column=column,
            ) from None

    def validate(self, draft: ArticleDraft) -> ArticleDraft:
        """Return the cleaned draft, or raise the :class:`~warta.errors.InputError` subclass that
        names the first problem (see the module docstring for the order of the checks)."""
        site = check_site(draft.site)
        external_id = check_external_id(draft.external_id)
        for field, text in zip(("title", "lead", "body_html"), _content(draft), strict=True):
            _check_surrogates(text, field=field)
        size = sum(len(part.encode("utf-8")) for part in _content(draft))
        if size > self._max_bytes:
            raise ArticleTooLargeError(
                f"article {external_id!r} is {size} bytes of UTF-8 (title, lead and body); "
                f"at most {self._max_bytes} are allowed",
                size=size,
                limit=self._max_bytes,
                external_id=external_id,
            )
        title = _clean_line(draft.title, field="title")
        if not title:
            raise EmptyArticleError(
                f"article {external_id!r} has no title", field="title", external_id=external_id
            )
        lead = _clean_line(draft.lead, field="lead")
        body = self.clean_body(draft.body_html)
        if not plain_text(body):
            raise EmptyArticleError(
                f"article {external_id!r} has no body text",
                field="body_html",
                external_id=external_id,
            )
        clean = replace(
            draft,
            site=site,
            external_id=external_id,
            title=title,
            lead=lead,
            body_html=body,
            category=_optional_label(draft.category, field="category", limit=MAX_LABEL),
            author=_optional_label(draft.author, field="author", limit=MAX_LABEL),
            tags=_clean_tags(draft.tags),
            published_at=_check_published_at(draft.published_at),
            source_url=check_source_url(draft.source_url),
        )
        text = plain_text(body)
        self.check_cost(title=title, lead=lead, body_html=body, text=text, external_id=external_id)
        self.check_language("\n".join((title, lead, text)))  # the costly check last
        return clean

    def check_cost(
        self, *, title: str, lead: str, body_html: str, text: str, external_id: str
    ) -> None:
        """Step 6: at most ``max_segments`` sentences, not mostly repetition. ``body_html`` is
        the cleaned body and ``text`` its plain text."""
        estimate = 2 + sum(1 for part in _BREAKS.split(text) if part.strip())
        if estimate > 2 * self._max_segments:  # far over: refused without segmenting
            raise _too_many(estimate, limit=self._max_segments, external_id=external_id)
        document = analyse(title=_escape(title), lead=_escape(lead), body_html=body_html)
        sentences = [s.text.strip() for s in document.segments if s.translate]
        if len(sentences) > self._max_segments:
            raise _too_many(len(sentences), limit=self._max_segments, external_id=external_id)
        if len(sentences) < REPETITION_MIN_SENTENCES:
            return
        repeated = len(sentences) - len(set(sentences))
        if repeated / len(sentences) > self._max_repeated_share:
            raise FieldError(
                f"article {external_id!r} is mostly repetition: {repeated} of its "
                f"{len(sentences)} sentences repeat an earlier one (at most "
                f"{self._max_repeated_share:.0%} may)",
                hint="send the article's real text; a sentence pasted many times is not "
                "translated (the limit is WARTA_MAX_REPEATED_SHARE)",
                field="body_html",
                external_id=external_id,
                sentences=len(sentences),
                repeated=repeated,
            )

    def clean_body(self, body_html: str) -> str:
        """Markup policy, sanitising and normalisation of a body (step 4 of :meth:`validate`)."""
        check_binary(body_html, what="the body")
        source = remove_controls(body_html)
        sanitized = sanitize_html(source)
        check_markup(source, sanitized=sanitized)
        return normalize_fragment(sanitized)

    def check_language(self, text: str) -> Verdict:
        """Raise :class:`NotIndonesianError` unless ``text`` is Indonesian (step 6)."""
        return self._language.check(text)


def _too_many(count: int, *, limit: int, external_id: str) -> ArticleTooLargeError:
    return ArticleTooLargeError(
        f"article {external_id!r} has {count} sentences; at most {limit} are translated",
        hint="split it into several articles, or raise WARTA_MAX_SEGMENTS",
        size=count,
        limit=limit,
        external_id=external_id,
        unit="sentences",
    )


def _escape(line: str) -> str:
    """A plain-text title or lead as inline HTML, for counting its sentences."""
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def check_site(site: str) -> str:
    """The site slug, stripped; :class:`FieldError` if it is not a slug."""
    value = site.strip()
    if not _SITE.fullmatch(value):
        raise FieldError(
            f"site {site!r} is not a site slug",
            hint="use the slug of a site created with `warta sites create` (letters, digits, "
            "'.', '_' or '-', at most 64 characters)",
            field="site",
        )
    return value


def check_external_id(external_id: str) -> str:
    """The article's id at its source, stripped and NFC-normalised; FieldError if unusable."""
    value = unicodedata.normalize("NFC", external_id.strip())
    problem = ""
    if not value:
        problem = "is empty"
    elif len(value) > MAX_EXTERNAL_ID:
        problem = f"is {len(value)} characters long (at most {MAX_EXTERNAL_ID})"
    elif any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in value):
        problem = "contains control characters or line breaks"
    if problem:
        raise FieldError(
            f"external_id {external_id[:80]!r} {problem}",
            hint="give every article a short, stable id from its source system (its slug or "
            "number)",
            field="external_id",
        )
    return value


def check_source_url(url: str | None) -> str | None:
    """An absolute http(s) URL, stripped, or None; FieldError otherwise."""
    if url is None or not url.strip():
        return None
    value = url.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(value) > MAX_URL:
        raise FieldError(
            f"source_url {value[:100]!r} is not an absolute http(s) URL",
            hint="send the article's public address, starting with https://",
            field="source_url",
        )
    return value


def normalize_fragment(sanitized: str) -> str:
    """NFC text nodes, collapse whitespace, drop whitespace next to block tags; strip the ends.

    ``sanitized`` must come from :func:`~warta.ingest.sanitize.sanitize_html` (tags are then
    exactly the ``<…>`` runs, as ``<`` and ``>`` are escaped everywhere else).
    """
    out: list[str] = []
    pos = 0
    after_block = True  # the start of the fragment behaves like a block boundary
    for m in _TAG.finditer(sanitized):
        is_block = m.group(2) in _BLOCKS
        out.append(_text_node(sanitized[pos : m.start()], lstrip=after_block, rstrip=is_block))
        out.append(m.group())
        after_block = is_block
        pos = m.end()
    out.append(_text_node(sanitized[pos:], lstrip=after_block, rstrip=True))
    return "".join(out)


def _text_node(text: str, *, lstrip: bool, rstrip: bool) -> str:
    text = unicodedata.normalize("NFC", _SPACES.sub(" ", text))
    if lstrip:
        text = text.lstrip(" ")
    if rstrip:
        text = text.rstrip(" ")
    return text


def _content(draft: ArticleDraft) -> tuple[str, str, str]:
    return draft.title, draft.lead, draft.body_html


def _check_surrogates(text: str, *, field: str) -> None:
    m = _SURROGATE.search(text)
    if m is not None:
        raise EncodingError(
            f"{field} contains U+{ord(m.group()):04X}, half of a UTF-16 surrogate pair, at "
            f"character {m.start()}",
            hint="send valid Unicode text (a JSON \\ud8xx escape must be followed by its pair)",
            field=field,
            offset=m.start(),
        )


def _clean_line(value: str, *, field: str) -> str:
    _check_surrogates(value, field=field)
    try:
        check_binary(value, what=f"the {field}")
    except MarkupError as exc:
        raise FieldError(exc.message, hint=exc.hint, field=field) from None
    return " ".join(unicodedata.normalize("NFC", remove_controls(value)).split())


def _optional_label(value: str | None, *, field: str, limit: int) -> str | None:
    if value is None:
        return None
    clean = _clean_line(value, field=field)
    if len(clean) > limit:
        raise FieldError(
            f"{field} is {len(clean)} characters long (at most {limit})",
            hint=f"shorten the {field}",
            field=field,
        )
    return clean or None


def _clean_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for i, tag in enumerate(tags):
        clean = _optional_label(tag, field=f"tags[{i}]", limit=MAX_TAG)
        if clean is not None:
            seen.setdefault(clean, None)
    if len(seen) > MAX_TAGS:
        raise FieldError(
            f"the article has {len(seen)} tags (at most {MAX_TAGS})",
            hint="keep the tags that matter most",
            field="tags",
        )
    return tuple(seen)


def _check_published_at(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise FieldError(
            f"published_at {value.isoformat()} has no UTC offset",
            hint="add the offset, e.g. 2024-03-05T09:30:00+07:00 for WIB, or Z for UTC",
            field="published_at",
        )
    return value if value is None else check_time(value, field="published_at")


def _encoding_hint(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16; save it as UTF-8 and send it again"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return EncodingError.default_hint
    return (
        "it looks like Windows-1252/Latin-1; save it as UTF-8 and send it again "
        "(e.g. iconv -f cp1252 -t utf-8)"
    )
