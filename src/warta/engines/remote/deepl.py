"""``deepl``: DeepL API v2 ``POST /v2/translate`` with ``tag_handling=html``.

The key goes in the ``Authorization: DeepL-Auth-Key KEY`` header. Endpoint: a free account's key
(ending ``:fx``) goes to ``https://api-free.deepl.com``, others to ``https://api.deepl.com``;
``url`` overrides. Options: ``glossary_id`` (one id, or a mapping target language -> id, as made
with DeepL's glossary API), ``formality``, ``batch_size`` (50, DeepL's limit per request),
``targets``, ``language_codes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from warta.engines.remote._common import HtmlApiEngine, field_list
from warta.languages import Lang

FREE_URL = "https://api-free.deepl.com"
PRO_URL = "https://api.deepl.com"


def endpoint_for(key: str | None) -> str:
    """DeepL's API host for a key: free keys end in ``:fx``."""
    return FREE_URL if key and key.endswith(":fx") else PRO_URL


class DeepLEngine(HtmlApiEngine):
    kind = "deepl"
    default_url = PRO_URL
    languages: ClassVar[Mapping[Lang, str]] = {
        Lang.EN: "EN-US",
        Lang.ZH: "ZH-HANS",
        Lang.JA: "JA",
        Lang.AR: "AR",
        Lang.FR: "FR",
    }

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("url"):
            kwargs["url"] = endpoint_for(kwargs.get("key"))
        super().__init__(**kwargs)

    def _headers(self, key: str | None) -> dict[str, str]:
        return {"Authorization": f"DeepL-Auth-Key {key}"} if key else {}

    def _decoding_items(self) -> tuple[tuple[str, int | float | str], ...]:
        items: list[tuple[str, int | float | str]] = [("tag_handling", "html")]
        if "formality" in self.options:
            items.append(("formality", str(self.options["formality"])))
        return tuple(items)

    def glossary_id(self, target: Lang) -> str | None:
        configured = self.options.get("glossary_id")
        if isinstance(configured, Mapping):
            value = configured.get(target.value)
            return str(value) if value else None
        return str(configured) if configured else None

    def _call(self, texts: list[str], *, target: Lang) -> list[str]:
        body: dict[str, Any] = {
            "text": texts,
            "source_lang": "ID",
            "target_lang": self._code(target),
            "tag_handling": "html",
        }
        glossary = self.glossary_id(target)
        if glossary:
            body["glossary_id"] = glossary
        if "formality" in self.options:
            body["formality"] = str(self.options["formality"])
        answer = self.http.post("/v2/translate", json=body)
        translations = field_list(answer, "translations", engine=self.name)
        return [str(field_list(t, "text", engine=self.name)) for t in translations]
