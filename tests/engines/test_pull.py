"""pull_model against a local hub: download, convert, checksum, manifest; and a dead endpoint.

The hub is a local HTTP server answering the endpoints ``snapshot_download`` calls:

* ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{rev}``: model info (sha, siblings)
* ``GET /api/models/{repo}/tree/{rev}``: the file listing
* ``HEAD``/``GET /{repo}/resolve/{rev}/{path}``: files, with ``X-Repo-Commit`` and ``ETag``
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from warta.domain import RegisteredModel
from warta.engines.base import Decoding
from warta.engines.models import MANIFEST_NAME, file_checksum, inspect_model_dir, pull_model
from warta.errors import ModelDownloadError, ModelNotFoundError
from warta.languages import Lang

REPO_ID = "Helsinki-NLP/opus-mt-id-en"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@contextmanager
def serve_repo(repo_id: str, files_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``files_dir`` as ``repo_id``; yields (endpoint URL, request log)."""
    files = {p.name: p.read_bytes() for p in sorted(files_dir.iterdir()) if p.is_file()}
    log: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, *, body: bool) -> None:
            path = unquote(urlparse(self.path).path)
            log.append(f"{self.command} {path}")
            api = f"/api/models/{repo_id}"
            if path in (api, f"{api}/revision/main", f"{api}/revision/{COMMIT}"):
                info = {
                    "id": repo_id,
                    "modelId": repo_id,
                    "sha": COMMIT,
                    "private": False,
                    "siblings": [{"rfilename": name} for name in files],
                }
                return self._send(200, json.dumps(info).encode(), "application/json", body)
            if path.startswith(f"{api}/tree/"):
                tree = [
                    {"type": "file", "path": name, "size": len(data), "oid": _oid(data)}
                    for name, data in files.items()
                ]
                return self._send(200, json.dumps(tree).encode(), "application/json", body)
            prefix = f"/{repo_id}/resolve/"
            if path.startswith(prefix):
                revision, _, name = path[len(prefix) :].partition("/")
                if revision in ("main", COMMIT) and name in files:
                    return self._send(200, files[name], "application/octet-stream", body, name)
            return self._send(404, b'{"error": "not found"}', "application/json", body)

        def _send(
            self, status: int, data: bytes, kind: str, body: bool, name: str | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Repo-Commit", COMMIT)
            if name is not None:
                self.send_header("ETag", f'"{_oid(data)}"')
            else:
                self.send_header("X-Error-Code", "EntryNotFound" if status == 404 else "")
            self.end_headers()
            if body:
                self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _oid(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324 -- git blob ids are SHA-1, not security


@pytest.fixture(scope="session")
def hf_marian_repo(tmp_path_factory: pytest.TempPathFactory, flores_id: list[str]) -> Path:
    """A tiny, randomly initialised Hugging Face MarianMTModel saved as on the hub."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    from warta.engines.testing import train_sentencepiece

    repo = tmp_path_factory.mktemp("hf") / "opus-mt-id-en"
    repo.mkdir()
    source = train_sentencepiece(flores_id[:300], repo / "source.spm", vocab_size=300)
    target = train_sentencepiece(flores_id[300:600], repo / "target.spm", vocab_size=300, seed=1)
    import sentencepiece as spm

    pieces = ["</s>", "<unk>"]
    for path in (source, target):
        processor = spm.SentencePieceProcessor(model_file=str(path))
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if not (processor.is_control(i) or processor.is_unknown(i)) and piece not in pieces:
                pieces.append(piece)
    pieces.append("<pad>")
    (repo / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(pieces)}), "utf-8")
    tokenizer = MarianTokenizer(str(source), str(target), str(repo / "vocab.json"))
    tokenizer.save_pretrained(repo)
    size = len(pieces)
    config = MarianConfig(
        vocab_size=size,
        decoder_vocab_size=size,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=256,
        activation_function="swish",
        pad_token_id=size - 1,
        eos_token_id=0,
        decoder_start_token_id=size - 1,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(0)
    MarianMTModel(config).save_pretrained(repo)
    return repo


@pytest.mark.slow
def test_pull_downloads_converts_and_translates(hf_marian_repo: Path, tmp_path: Path) -> None:
    with serve_repo(REPO_ID, hf_marian_repo) as (endpoint, log):
        pulled = pull_model("opus-mt-id-en", dest_dir=tmp_path, progress=False, endpoint=endpoint)

    assert pulled.path == tmp_path / "opus-mt-id-en"
    assert (pulled.family, pulled.revision, pulled.repo_id) == ("marian", COMMIT, REPO_ID)
    assert pulled.pairs == ((Lang.ID, Lang.EN),)
    assert pulled.checksum == file_checksum(pulled.path / "model.bin")
    assert inspect_model_dir(pulled.path) == ("marian", pulled.checksum)
    manifest = json.loads((pulled.path / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["revision"] == COMMIT
    assert manifest["checksum"] == pulled.checksum
    assert manifest["quantization"] == "int8"
    assert manifest["max_positions"] == 256  # the checkpoint's max_position_embeddings
    assert manifest["converter"].startswith("ctranslate2 ")
    # Only what conversion needs was fetched, and nothing is left behind but the model.
    assert any(line.endswith("/model.safetensors") for line in log)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opus-mt-id-en"]

    from warta.engines.ctranslate2 import CTranslate2Engine

    model = RegisteredModel(
        name=pulled.name,
        path=str(pulled.path),
        source=Lang.ID,
        target=Lang.EN,
        family=pulled.family,
        checksum=pulled.checksum,
    )
    engine = CTranslate2Engine([model], decoding=Decoding(beam_size=2, max_decoding_length=16))
    [hypothesis] = engine.translate(["Saya pergi ke pasar."], source=Lang.ID, target=Lang.EN)
    assert hypothesis.score is not None
    assert hypothesis.score <= 0.0


@pytest.mark.slow
def test_pull_reuses_a_complete_directory_without_the_network(
    hf_marian_repo: Path, tmp_path: Path
) -> None:
    with serve_repo(REPO_ID, hf_marian_repo) as (endpoint, _):
        first = pull_model("opus-mt-id-en", dest_dir=tmp_path, progress=False, endpoint=endpoint)
    closed = _closed_port_endpoint()
    again = pull_model("opus-mt-id-en", dest_dir=tmp_path, progress=False, endpoint=closed)
    assert again.reused
    assert not first.reused
    assert again.checksum == first.checksum


def test_unreachable_hub_fails_with_the_way_forward(tmp_path: Path) -> None:
    endpoint = _closed_port_endpoint()
    with pytest.raises(ModelDownloadError) as caught:
        pull_model("opus-mt-id-en", dest_dir=tmp_path, progress=False, endpoint=endpoint)
    err = caught.value
    assert endpoint in err.message
    assert "cannot reach" in err.message
    assert "warta models pull opus-mt-id-en" in err.hint
    assert "warta models add" in err.hint
    assert err.context["endpoint"] == endpoint
    assert not (tmp_path / "opus-mt-id-en").exists()


def test_hf_endpoint_is_read_when_pulling_not_at_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = _closed_port_endpoint()
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    with pytest.raises(ModelDownloadError) as caught:
        pull_model("opus-mt-id-en", dest_dir=tmp_path, progress=False)
    assert caught.value.context["endpoint"] == endpoint


def test_unknown_model_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        pull_model("opus-mt-id-xx", dest_dir=tmp_path, progress=False)
    assert "opus-mt-id-en" in caught.value.hint
    assert "nllb-200-distilled-600M" in caught.value.hint


def _closed_port_endpoint() -> str:
    """A loopback URL where nothing listens (the port was just bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
