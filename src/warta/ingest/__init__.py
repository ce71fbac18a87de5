"""Getting articles into warta: reading files and feeds, sanitising and validating them.

Modules (import what you need; this package imports nothing itself, so that the API process does
not pay for the HTML and language-identification libraries it may not use):

- :mod:`warta.ingest.sanitize` — :func:`~warta.ingest.sanitize.sanitize_html`, the allowlist
  sanitiser every stored or published fragment of HTML goes through.
- :mod:`warta.ingest.markup` — the broken-HTML policy (what is repaired, what is refused).
- :mod:`warta.ingest.language` — is this text Indonesian? (lingua, built lazily).
- :mod:`warta.ingest.validate` — :class:`~warta.ingest.validate.Validator`: decoding, limits,
  normalisation, sanitising, markup and language checks for one
  :class:`~warta.domain.ArticleDraft`.
- :mod:`warta.ingest.records` — JSON records (IndoSum and warta's own schema) to drafts.
- :mod:`warta.ingest.htmldoc` — an HTML page to a draft.
- :mod:`warta.ingest.sources` — the :class:`~warta.ingest.sources.Source` protocol and
  :func:`~warta.ingest.sources.open_source` for files and folders.
"""
