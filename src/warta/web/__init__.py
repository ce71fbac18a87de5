"""The reader-facing site: server-rendered HTML in six languages, feeds and sitemaps.

``warta.web.app.create_app(services)`` builds it (with the JSON API of :mod:`warta.api`).
Modules, one job each:

* :mod:`~warta.web.urls`: the URL scheme and slugs (why zh/ja/ar use the Indonesian slug)
* :mod:`~warta.web.locales`: codes, direction, names, dates and numbers per language (Babel)
* :mod:`~warta.web.i18n`: gettext catalogues (``locale/<lang>/LC_MESSAGES/messages.po``),
  written by people and compiled in memory at start
* :mod:`~warta.web.views`: what a page shows; only *published* editions (the site's publishing
  policy and editors' decisions, :mod:`warta.publishing`) are translations, anything else
  (pending, failed, held) shows the Indonesian original with a notice
* :mod:`~warta.web.marking`: doubtful sentences marked for readers
* :mod:`~warta.web.pages`, :mod:`~warta.web.publishing`: rendering pages, feeds, sitemaps
* :mod:`~warta.web.seo`, :mod:`~warta.web.feeds`, :mod:`~warta.web.sitemap`: hreflang,
  JSON-LD, Open Graph, RSS/Atom, sitemap XML
* :mod:`~warta.web.cache`: the page cache, keyed by data versions from the store
  that invalidate it; ETag/Last-Modified/304
* :mod:`~warta.web.fast`: cache hits answered in front of the app (pure ASGI), without the
  database: the store's change counter is read at most every ``cache_check_ms``
* :mod:`~warta.web.cdn`: Cache-Control with stale-while-revalidate, Surrogate-Key/Cache-Tag,
  the purge webhook
* :mod:`~warta.web.export`: the static export (``warta publish``), kept up to date as editions
  change
* :mod:`~warta.web.routes`, :mod:`~warta.web.errors`: HTTP handlers and error pages
* :mod:`~warta.web.state`: what the app keeps between requests (on ``app.state.web``)
"""
