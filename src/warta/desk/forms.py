"""Reading the desk's form posts without a multipart dependency.

``application/x-www-form-urlencoded`` is parsed with :func:`urllib.parse.parse_qsl`;
``multipart/form-data`` (the glossary's CSV upload) with the standard library's MIME parser. A
body over ``max_bytes`` is refused with :class:`~warta.errors.RequestTooLargeError` before it is
parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

from fastapi import Request

from warta.errors import FieldError, RequestTooLargeError

MAX_FORM_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))

    def int(self, name: str) -> int:
        raw = self.get(name).strip()
        if not raw.isascii() or not raw.lstrip("-").isdigit():
            raise FieldError(
                f"the form field {name!r} is not a whole number",
                hint="reload the page and try again",
                field=name,
            )
        return int(raw)


async def read_form(request: Request, *, max_bytes: int = MAX_FORM_BYTES) -> Form:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise RequestTooLargeError(
            f"the form is larger than {max_bytes // 1024} KiB",
            hint="send a smaller file",
            limit=max_bytes,
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise RequestTooLargeError(
                f"the form is larger than {max_bytes // 1024} KiB",
                hint="send a smaller file",
                limit=max_bytes,
            )
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        return _multipart(bytes(body), content_type)
    fields: dict[str, list[str]] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    return Form(fields=fields)


def _multipart(body: bytes, content_type: str) -> Form:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise FieldError(
            "the uploaded form could not be read", hint="choose the file again and send it"
        )
    fields: dict[str, list[str]] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        assert isinstance(part, Message)  # noqa: S101 -- iter_parts yields messages
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = Upload(filename=filename, data=data)
        else:
            fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
    return Form(fields=fields, files=files)
