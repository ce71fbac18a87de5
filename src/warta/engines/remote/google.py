"""``google``: Google Cloud Translation, v2 (Basic) or v3 (Advanced), in HTML mode.

* v2 (default): ``POST /language/translate/v2`` with ``q`` (a list), ``source``, ``target``,
  ``format=html``; the API key goes in the ``X-goog-api-key`` header (never in the URL).
* v3 (``options.version = 3``, ``options.project``, ``options.location`` = "global"):
  ``POST /v3/projects/{project}/locations/{location}:translateText`` with ``contents``,
  ``sourceLanguageCode``, ``targetLanguageCode``, ``mimeType=text/html``; the key is an OAuth
  access token sent as ``Authorization: Bearer``. ``options.model`` and ``options.glossary``
  (a glossary resource name) are passed on.

``url``: ``https://translation.googleapis.com`` unless set. Options: ``batch_size`` (100),
``targets``, ``language_codes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from warta.engines.remote._common import HtmlApiEngine, field_list
from warta.errors import ConfigError
from warta.languages import Lang


class GoogleEngine(HtmlApiEngine):
    kind = "google"
    default_url = "https://translation.googleapis.com"
    batch_size = 100
    languages: ClassVar[Mapping[Lang, str]] = {
        Lang.EN: "en",
        Lang.ZH: "zh-CN",
        Lang.JA: "ja",
        Lang.AR: "ar",
        Lang.FR: "fr",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.version == 3 and not self.options.get("project"):
            raise ConfigError(
                f"engine {self.name}: Cloud Translation v3 needs a project",
                hint="set options.project (and options.location, default global)",
                engine=self.name,
            )

    @property
    def version(self) -> int:
        return int(self.options.get("version", 2))

    @property
    def model_name(self) -> str:
        return self.model or f"translate-v{self.version}"

    def _headers(self, key: str | None) -> dict[str, str]:
        if not key:
            return {}
        if self.version == 3:  # options are set before the headers are asked for
            return {"Authorization": f"Bearer {key}"}
        return {"X-goog-api-key": key}

    def _decoding_items(self) -> tuple[tuple[str, int | float | str], ...]:
        return (("format", "html"), ("version", self.version))

    def _call(self, texts: list[str], *, target: Lang) -> list[str]:
        if self.version == 3:
            project = self.options["project"]
            location = self.options.get("location", "global")
            body: dict[str, Any] = {
                "contents": texts,
                "sourceLanguageCode": "id",
                "targetLanguageCode": self._code(target),
                "mimeType": "text/html",
            }
            if self.model:
                body["model"] = (
                    self.model
                    if "/" in self.model
                    else f"projects/{project}/locations/{location}/models/{self.model}"
                )
            if self.options.get("glossary"):
                body["glossaryConfig"] = {"glossary": str(self.options["glossary"])}
            answer = self.http.post(
                f"/v3/projects/{project}/locations/{location}:translateText", json=body
            )
            key = "glossaryTranslations" if "glossaryConfig" in body else "translations"
            items = field_list(answer, key, engine=self.name)
        else:
            answer = self.http.post(
                "/language/translate/v2",
                json={"q": texts, "source": "id", "target": self._code(target), "format": "html"},
            )
            items = field_list(answer, "data", "translations", engine=self.name)
        return [str(field_list(item, "translatedText", engine=self.name)) for item in items]
