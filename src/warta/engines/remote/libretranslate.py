"""``libretranslate``: a LibreTranslate server's ``POST /translate`` with ``format=html``.

``q`` is sent as a list (one answer per text, ``translatedText`` a list); the key, when the
server asks for one, goes as ``api_key`` in the body (LibreTranslate's way). Options:
``batch_size`` (25), ``targets``, ``language_codes`` (e.g. ``{"zh": "zh-Hans"}`` for servers
that name Chinese so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from warta.engines.remote._common import HtmlApiEngine, field_list
from warta.errors import EngineResponseError
from warta.languages import Lang


class LibreTranslateEngine(HtmlApiEngine):
    kind = "libretranslate"
    default_url = "http://localhost:5000"
    batch_size = 25
    languages: ClassVar[Mapping[Lang, str]] = {
        Lang.EN: "en",
        Lang.ZH: "zh",
        Lang.JA: "ja",
        Lang.AR: "ar",
        Lang.FR: "fr",
    }

    def _call(self, texts: list[str], *, target: Lang) -> list[str]:
        body: dict[str, Any] = {
            "q": texts,
            "source": "id",
            "target": self._code(target),
            "format": "html",
        }
        if self._key:
            body["api_key"] = self._key
        answer = self.http.post("/translate", json=body)
        translated = field_list(answer, "translatedText", engine=self.name)
        if isinstance(translated, str):  # an old server that took only the first text
            translated = [translated]
        if not isinstance(translated, list):
            raise EngineResponseError(
                f"engine {self.name} answered translatedText that is not a list",
                engine=self.name,
            )
        return [str(t) for t in translated]
