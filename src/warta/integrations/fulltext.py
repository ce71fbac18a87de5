"""The article text of a web page, as HTML, for feed entries that carry only a summary.

Uses `trafilatura <https://trafilatura.readthedocs.io>`_ (boilerplate removal: menus, footers,
comments go) and keeps paragraphs, headings, lists, emphasis and links. The result is not trusted:
it goes through the validator's sanitiser like every other body.
"""

from __future__ import annotations


def extract_article_html(page: str, *, url: str) -> str | None:
    """The main text of ``page`` as an HTML fragment, or None if no article text was found."""
    import trafilatura  # imported on first use: only feed polling needs it

    extracted = trafilatura.extract(
        page,
        url=url,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_links=True,
        include_formatting=True,
        include_images=False,
        favor_precision=True,
    )
    if not extracted or not extracted.strip():
        return None
    return str(extracted)
