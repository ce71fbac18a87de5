"""The review desk: server-rendered pages under ``/desk/`` where editors review, correct,
approve and send back editions, manage the glossary and the publishing policy.

:func:`mount_desk` adds the pages, the desk's JSON endpoints and its static files to the app
(``warta.web.app.create_app`` calls it before the site's catch-all routes). The pages speak
Indonesian and English (:mod:`warta.desk.i18n`); everything they do goes through the services of
:mod:`warta.integrations` (scoping to the editor's site, roles, versions, audit).
"""

from __future__ import annotations

from warta.desk.mount import mount_desk

__all__ = ["mount_desk"]
