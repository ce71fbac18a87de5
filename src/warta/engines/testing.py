"""Real CTranslate2 model directories with random weights, for tests and speed benchmarks.

Shipped in the package (like httpx's ``MockTransport``) so that the engine, the pipeline and the
benchmarks can run against the *real* runtime without downloading a model:

* :func:`build_tiny_model` makes a small Marian-family model (tiny SentencePiece models trained
  on text you pass in, a few layers) in well under a second. Its output is gibberish made of real
  Indonesian subwords; it has scores, attention and alignments like a real model.
* :func:`build_opus_sized_model` makes a model with the exact shape and vocabulary of
  Helsinki-NLP/opus-mt-id-en (6+6 layers, d_model 512, 8 heads, FFN 2048, swish, 54,795-token
  shared vocabulary, tied embeddings, sinusoidal positions, scaled embeddings), so speed and memory
  measured on it are what the real model costs. **Its output is meaningless.**

Both write a ``warta-model.json`` manifest with ``"random_weights": true`` so that such a
directory can never be mistaken for a real model.

How decoding is made to end: with random weights nothing ever learned to emit ``</s>``, and
random deep post-norm stacks tend to repeat one token forever. The builders hand-wire one
"clock" dimension so that the ``</s>`` logit rises as the output length catches up with the
input length, shifted by ``eos_bias`` (see ``_wire_eos``). Outputs then end on their own at
roughly the input's length in pieces (opus-sized: about 0.9x, tiny: about 0.4x with the
defaults), are different for different inputs, and rarely reach ``max_decoding_length``. Only
weight *values* are chosen: shapes, and so speed and memory, are those of a real model.

Nothing here reads repository files: pass the text to train on (``corpus``) or the tokenizer
directory explicitly.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import ctranslate2
import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, transformer_spec

from warta.languages import Lang

__all__ = [
    "DEFAULT_CORPUS",
    "build_opus_sized_model",
    "build_tiny_model",
    "train_sentencepiece",
]

# A few plain Indonesian sentences (written for this module) used when no corpus is given.
DEFAULT_CORPUS: tuple[str, ...] = (
    "Pemerintah kota mengumumkan jadwal baru untuk angkutan umum pada hari Senin.",
    "Hujan deras sejak pagi membuat beberapa jalan utama di Jakarta tergenang air.",
    "Menteri keuangan mengatakan pertumbuhan ekonomi tahun ini lebih baik dari perkiraan.",
    "Para siswa kembali ke sekolah setelah libur panjang akhir tahun.",
    "Tim nasional menang dua gol tanpa balas dalam pertandingan persahabatan semalam.",
    "Harga beras di pasar tradisional naik menjelang hari raya.",
    "Warga diminta tetap waspada terhadap kemungkinan banjir susulan.",
    "Rumah sakit daerah menambah jumlah tempat tidur untuk pasien baru.",
    "Kereta api tujuan Bandung berangkat tepat waktu pukul tujuh pagi.",
    "Festival musik itu dihadiri ribuan penonton dari berbagai kota.",
    "Polisi masih menyelidiki penyebab kebakaran di gudang tersebut.",
    "Petani berharap musim tanam kali ini membawa hasil panen yang melimpah.",
    "Presiden meresmikan jembatan baru yang menghubungkan dua pulau.",
    "Sebagian besar toko di pusat kota tutup lebih awal karena pemadaman listrik.",
    "Peneliti menemukan spesies katak baru di hutan Kalimantan.",
    "Bandara internasional itu melayani lebih dari sepuluh juta penumpang setahun.",
)

_EOS = "</s>"
_UNK = "<unk>"
_PAD = "<pad>"
_EOS_SLOPE = 4.0  # logit units per unit of (normalised) clock; see _wire_eos
_OPUS_SIZE = {"layers": 6, "heads": 8, "d_model": 512, "ffn_dim": 2048, "positions": 512}


def train_sentencepiece(
    corpus: Iterable[str], model_path: Path, *, vocab_size: int = 400, seed: int = 0
) -> Path:
    """Train a small unigram SentencePiece model on ``corpus`` and write it to ``model_path``.

    Training is deterministic for a given corpus (one thread, no sampling); ``seed`` only shuffles
    the order in which the lines are fed, so different seeds give (slightly) different models.
    """
    lines = [line.strip() for line in corpus if line.strip()]
    if not lines:
        raise ValueError("train_sentencepiece: the corpus has no non-blank line")
    order = np.random.default_rng(seed).permutation(len(lines))
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([lines[i] for i in order]),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        shuffle_input_sentence=False,
        unk_id=0,
        bos_id=-1,
        eos_id=1,
        pad_id=-1,
        minloglevel=2,
    )
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_bytes(buffer.getvalue())
    return model_path


def build_tiny_model(
    out_dir: Path,
    *,
    corpus: Sequence[str] | None = None,
    source_spm: Path | None = None,
    target_spm: Path | None = None,
    vocab_size: int = 400,
    seed: int = 0,
    layers: int = 2,
    d_model: int = 64,
    heads: int = 4,
    ffn_dim: int = 128,
    eos_bias: float = 2.5,
    quantization: str | None = None,
    context_separator: str | None = None,
) -> Path:
    """Write a small, valid Marian-family CTranslate2 model with seeded random weights.

    Give either ``corpus`` (SentencePiece models are trained on it; default: ``DEFAULT_CORPUS``)
    or both ``source_spm`` and ``target_spm``. Returns ``out_dir`` (replaced if it exists).
    ``context_separator``: a token added to the vocabulary and declared in the manifest, as a
    model trained with document context ("previous <sep> current") has it.
    """
    if (source_spm is None) != (target_spm is None):
        raise ValueError("build_tiny_model: pass both source_spm and target_spm, or neither")
    if d_model % heads:
        raise ValueError(f"build_tiny_model: d_model {d_model} is not divisible by heads {heads}")
    with tempfile.TemporaryDirectory(prefix="warta-tiny-spm-") as tmp:
        if source_spm is None or target_spm is None:
            text = list(corpus) if corpus is not None else list(DEFAULT_CORPUS)
            source_spm = train_sentencepiece(
                text, Path(tmp) / "source.spm", vocab_size=vocab_size, seed=seed
            )
            target_spm = train_sentencepiece(
                text, Path(tmp) / "target.spm", vocab_size=vocab_size, seed=seed + 1
            )
        vocab = _shared_vocabulary(source_spm, target_spm)
        if context_separator is not None and context_separator not in vocab:
            vocab.append(context_separator)
        spec = _marian_spec(
            vocab,
            rng=np.random.default_rng(seed),
            layers=layers,
            heads=heads,
            d_model=d_model,
            ffn_dim=ffn_dim,
            positions=1024,
            eos_bias=eos_bias,
        )
        spec.register_file(str(source_spm), "source.spm")
        spec.register_file(str(target_spm), "target.spm")
        _save_spec(spec, out_dir, quantization=quantization)
    _write_manifest(
        out_dir,
        name="tiny-random",
        quantization=quantization or "float32",
        positions=1024,
        context_separator=context_separator,
    )
    return out_dir


def build_opus_sized_model(
    out_dir: Path,
    *,
    tokenizer_dir: Path,
    seed: int = 0,
    quantization: str | None = "int8",
    eos_bias: float = 2.5,
) -> Path:
    """Write a model with the real shape and vocabulary of opus-mt-id-en and random weights.

    ``tokenizer_dir`` holds the real ``source.spm``, ``target.spm``, ``vocab.json`` and
    ``config.json`` (e.g. ``data/opus-mt-id-en``). The vocabulary is converted as CTranslate2's
    Transformers converter does (the trailing ``<pad>`` dropped: the decoder starts from a zero
    embedding instead). ``quantization`` defaults to int8, what ``warta models pull`` produces.
    **For speed and memory benchmarks only: the output is meaningless.**
    """
    config = json.loads((tokenizer_dir / "config.json").read_text(encoding="utf-8"))
    vocab_map: dict[str, int] = json.loads(
        (tokenizer_dir / "vocab.json").read_text(encoding="utf-8")
    )
    vocab = [token for token, _ in sorted(vocab_map.items(), key=lambda item: item[1])]
    if vocab and vocab[-1] == _PAD:
        vocab.pop()
    expected = {
        "encoder_layers": _OPUS_SIZE["layers"],
        "decoder_layers": _OPUS_SIZE["layers"],
        "d_model": _OPUS_SIZE["d_model"],
        "encoder_attention_heads": _OPUS_SIZE["heads"],
        "encoder_ffn_dim": _OPUS_SIZE["ffn_dim"],
        "activation_function": "swish",
    }
    wrong = {k: config.get(k) for k, v in expected.items() if config.get(k) != v}
    if wrong:
        raise ValueError(f"{tokenizer_dir}/config.json is not opus-mt-id-en's shape: {wrong}")
    positions = int(config.get("max_position_embeddings", _OPUS_SIZE["positions"]))
    spec = _marian_spec(
        vocab,
        rng=np.random.default_rng(seed),
        layers=_OPUS_SIZE["layers"],
        heads=_OPUS_SIZE["heads"],
        d_model=_OPUS_SIZE["d_model"],
        ffn_dim=_OPUS_SIZE["ffn_dim"],
        positions=positions,
        eos_bias=eos_bias,
    )
    for name in ("source.spm", "target.spm"):
        spec.register_file(str(tokenizer_dir / name), name)
    _save_spec(spec, out_dir, quantization=quantization)
    _write_manifest(
        out_dir,
        name="opus-mt-id-en-sized-random",
        quantization=quantization or "float32",
        positions=positions,
    )
    return out_dir


def _save_spec(
    spec: transformer_spec.TransformerSpec, out_dir: Path, *, quantization: str | None
) -> None:
    """Validate, quantize and write a spec: what ``ctranslate2.converters.Converter.convert`` does.

    Done here rather than through a ``Converter`` subclass because importing
    ``ctranslate2.converters`` imports torch *and* transformers (about 7 s on a small machine)
    even though this path needs neither.
    """
    spec.validate()
    spec.optimize(quantization=quantization)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    spec.save(str(out_dir))


def _shared_vocabulary(source_spm: Path, target_spm: Path) -> list[str]:
    """``</s>``, ``<unk>``, then every ordinary piece of both models once (like OPUS-MT)."""
    vocab = [_EOS, _UNK]
    seen = set(vocab)
    for path in (source_spm, target_spm):
        processor = spm.SentencePieceProcessor(model_file=str(path))
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if processor.is_control(i) or processor.is_unknown(i) or piece in seen:
                continue
            seen.add(piece)
            vocab.append(piece)
    return vocab


def _marian_spec(
    vocab: list[str],
    *,
    rng: np.random.Generator,
    layers: int,
    heads: int,
    d_model: int,
    ffn_dim: int,
    positions: int,
    eos_bias: float,
) -> transformer_spec.TransformerSpec:
    """A post-norm, swish, tied-embedding Transformer as OPUS-MT models are, with random weights.

    Weights are drawn with variance 1/fan_in so activations stay near unit scale through the
    layers (finite, input-dependent outputs); layer norms start at identity. See :func:`_wire_eos`
    for how decoding is made to end.
    """
    if heads < 2:
        raise ValueError("the random models need at least 2 attention heads")
    spec = transformer_spec.TransformerSpec.from_config(
        (layers, layers), heads, pre_norm=False, activation=common_spec.Activation.SWISH
    )
    embeddings = _normal(rng, (len(vocab), d_model), 1.0 / math.sqrt(d_model))
    table = _sinusoids(positions, d_model)

    encoder = spec.encoder
    encoder.embeddings[0].weight = embeddings
    encoder.position_encodings.encodings = table
    for enc_layer in encoder.layer:
        _attention(enc_layer.self_attention, rng, d_model, fused=3)
        _ffn(enc_layer.ffn, rng, d_model, ffn_dim)

    decoder = spec.decoder
    decoder.embeddings.weight = embeddings
    decoder.position_encodings.encodings = table
    decoder.start_from_zero_embedding = True
    for dec_layer in decoder.layer:
        _attention(dec_layer.self_attention, rng, d_model, fused=3)
        _attention(dec_layer.attention, rng, d_model, fused=1)
        _ffn(dec_layer.ffn, rng, d_model, ffn_dim)
    decoder.projection.weight = embeddings
    decoder.projection.bias = np.zeros(len(vocab), dtype=np.float32)
    _wire_eos(spec, eos=vocab.index(_EOS), heads=heads, eos_bias=eos_bias)

    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.config.unk_token = _UNK
    spec.config.eos_token = _EOS
    spec.config.decoder_start_token = _EOS
    return spec


def _wire_eos(
    spec: transformer_spec.TransformerSpec, *, eos: int, heads: int, eos_bias: float
) -> None:
    """Make a random model stop after about as many tokens as its input has.

    Random weights never learned to emit ``</s>``, and the tied output projection makes them
    repeat the previous token. Both are fixed by hand-wiring one "clock" dimension (the last one):

    * the position table carries ``log(1 + position)`` in it, and no sublayer writes to it (zero
      output rows), so each token's clock survives the post-norm layers;
    * in the last decoder layer the last cross-attention head attends uniformly to the source and
      subtracts the mean source clock, which grows with the source length;
    * only ``</s>`` has an embedding weight on the clock dimension, so its logit rises as the
      output catches up with the input length, shifted by ``eos_bias``;
    * the last layer norm has a negative gain elsewhere, which turns "repeat the previous token"
      into a penalty;
    * every sublayer's output projection is scaled by 1/sqrt(2 * layers) (as DeepNet-style
      initialisations do): without it, six random post-norm layers collapse every position onto
      the same vector, the clock is drowned and the model repeats one token forever.

    Shapes and cost are untouched: only values are chosen.
    """
    encoder, decoder = spec.encoder, spec.decoder
    d_model = encoder.embeddings[0].weight.shape[1]
    clock = d_model - 1
    table = encoder.position_encodings.encodings
    table[:, clock] = np.log1p(np.arange(table.shape[0], dtype=np.float32))

    embeddings = encoder.embeddings[0].weight
    embeddings[:, clock] = 0.0
    embeddings[eos, :] = 0.0
    embeddings[eos, clock] = 1.0 / math.sqrt(d_model)
    decoder.projection.bias[eos] = eos_bias

    writers = [layer.self_attention.linear[-1] for layer in encoder.layer]
    writers += [layer.ffn.linear_1 for layer in encoder.layer]
    for layer in decoder.layer:
        writers += [layer.self_attention.linear[-1], layer.attention.linear[-1], layer.ffn.linear_1]
    damping = np.float32(1.0 / math.sqrt(2 * len(decoder.layer)))
    for linear in writers:
        linear.weight *= damping
        linear.weight[clock, :] = 0.0
        linear.bias[clock] = 0.0

    # Last decoder layer: the last cross-attention head averages the source clock uniformly.
    last = decoder.layer[-1]
    head_dim = d_model // heads
    head = slice((heads - 1) * head_dim, heads * head_dim)
    query, key_value, out = last.attention.linear
    query.weight[head, :] = 0.0
    query.bias[head] = 0.0
    value_rows = slice(d_model + head.start, d_model + head.stop)
    key_value.weight[value_rows, :] = 0.0
    key_value.bias[value_rows] = 0.0
    key_value.weight[d_model + head.start, clock] = 1.0
    out.weight[:, head] = 0.0
    out.weight[clock, head.start] = -1.0

    norm = last.ffn.layer_norm
    norm.gamma[:] = -1.0
    norm.gamma[clock] = _EOS_SLOPE * math.sqrt(d_model)


def _attention(spec: object, rng: np.random.Generator, d_model: int, *, fused: int) -> None:
    """Fill a MultiHeadAttentionSpec: self-attention has fused QKV, cross-attention Q then KV."""
    linears = spec.linear  # type: ignore[attr-defined]
    scale = 1.0 / math.sqrt(d_model)
    if fused == 3:
        _linear(linears[0], rng, 3 * d_model, d_model, scale)
        _linear(linears[1], rng, d_model, d_model, scale)
    else:
        _linear(linears[0], rng, d_model, d_model, scale)
        _linear(linears[1], rng, 2 * d_model, d_model, scale)
        _linear(linears[2], rng, d_model, d_model, scale)
    _layer_norm(spec.layer_norm, d_model)  # type: ignore[attr-defined]


def _ffn(spec: object, rng: np.random.Generator, d_model: int, ffn_dim: int) -> None:
    _linear(spec.linear_0, rng, ffn_dim, d_model, 1.0 / math.sqrt(d_model))  # type: ignore[attr-defined]
    _linear(spec.linear_1, rng, d_model, ffn_dim, 1.0 / math.sqrt(ffn_dim))  # type: ignore[attr-defined]
    _layer_norm(spec.layer_norm, d_model)  # type: ignore[attr-defined]


def _linear(spec: object, rng: np.random.Generator, out_dim: int, in_dim: int, std: float) -> None:
    spec.weight = _normal(rng, (out_dim, in_dim), std)  # type: ignore[attr-defined]
    spec.bias = _normal(rng, (out_dim,), 0.02)  # type: ignore[attr-defined]


def _layer_norm(spec: object, d_model: int) -> None:
    spec.gamma = np.ones(d_model, dtype=np.float32)  # type: ignore[attr-defined]
    spec.beta = np.zeros(d_model, dtype=np.float32)  # type: ignore[attr-defined]


def _normal(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> np.ndarray:
    return (rng.standard_normal(shape, dtype=np.float32) * np.float32(std)).astype(np.float32)


def _sinusoids(positions: int, dim: int) -> np.ndarray:
    """Marian's static position table: sines in the first half of the dimensions, cosines after."""
    pos = np.arange(positions, dtype=np.float64)[:, None]
    rates = np.power(10000.0, 2 * (np.arange(dim) // 2) / dim)[None, :]
    angles = pos / rates
    table = np.zeros((positions, dim), dtype=np.float64)
    table[:, : dim // 2] = np.sin(angles[:, 0::2])
    table[:, dim // 2 :] = np.cos(angles[:, 1::2])
    return table.astype(np.float32)


def _write_manifest(
    out_dir: Path,
    *,
    name: str,
    quantization: str,
    positions: int,
    context_separator: str | None = None,
) -> None:
    from warta.engines.models import ModelManifest, file_checksum, write_manifest

    write_manifest(
        out_dir,
        ModelManifest(
            name=name,
            family="marian",
            pairs=((Lang.ID, Lang.EN),),
            checksum=file_checksum(out_dir / "model.bin"),
            quantization=quantization,
            converter=f"ctranslate2 {ctranslate2.__version__} (warta.engines.testing)",
            max_positions=positions,
            random_weights=True,
            warning="random weights: the output is meaningless",
            context_separator=context_separator,
        ),
    )
