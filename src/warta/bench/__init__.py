"""Benchmarks: warta against its engine's ceiling and against the usual way (``warta bench``).

Sections (see BENCHMARKS.md for the figures and how to reproduce them):

1. ``engine``: raw CTranslate2 ``translate_batch`` against warta's full pipeline, same segments
2. ``usual``: Hugging Face ``generate`` (fp32) and LibreTranslate's per-item loop
3. ``articles``: many small articles arriving at once against one batch (throughput, latency)
4. ``memory``: resident memory of a five-model worker and of the web process
5. ``site``: cached article pages under ``wrk`` on loopback
6. ``incremental``: re-translation after a one-paragraph edit, against the full translation
7. ``gpu``: section 1 in float16 on a CUDA device (skipped, and said so, without one)

Every side of every comparison runs the same weights (:mod:`warta.bench.model`), the same
segments (:mod:`warta.bench.corpus`) and the same pinned decoding length, interleaved in one run
(:mod:`warta.bench.timing`). Nothing here runs at import time.
"""
