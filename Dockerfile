# warta: one image for every process (web site + API, Celery workers, dispatcher, webhooks).
#
#   docker build -t warta .                                  # CPU (int8)
#   docker build -t warta:gpu --build-arg WARTA_EXTRAS=gpu .  # NVIDIA GPU: CUDA 12 cuBLAS wheel
#   docker build -t warta:convert --build-arg WARTA_EXTRAS=convert .  # + `warta models pull`
#
# compose.yaml starts the whole service (README: "Deploying with Docker"). Models and data live in
# the WARTA_HOME volume, /var/lib/warta; model weights are never part of the image.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the project's wheel, installed with its dependencies into a virtualenv ----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/warta
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# WARTA_EXTRAS: empty (CPU), "gpu" (cuBLAS for CTranslate2 on CUDA), "convert" (torch and
# transformers for `warta models pull`), or both: "gpu,convert". Never "test".
ARG WARTA_EXTRAS=""
RUN /opt/warta/bin/pip install --upgrade pip \
 && /opt/warta/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/warta/bin/pip install "$(ls /wheels/warta-*.whl)${WARTA_EXTRAS:+[$WARTA_EXTRAS]}"

# --- runtime: the virtualenv on a slim Python, run as an unprivileged user -------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 warta \
 && useradd --system --uid 10001 --gid warta --home-dir /var/lib/warta --shell /usr/sbin/nologin warta \
 && install -d -o warta -g warta -m 0750 /var/lib/warta
COPY --from=build /opt/warta /opt/warta
# The nvidia-cublas-cu12 wheel (WARTA_EXTRAS=gpu) puts cuBLAS here; without it the path is unused.
ENV PATH=/opt/warta/bin:$PATH \
    LD_LIBRARY_PATH=/opt/warta/lib/python3.11/site-packages/nvidia/cublas/lib \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WARTA_HOME=/var/lib/warta
USER warta
WORKDIR /var/lib/warta
VOLUME ["/var/lib/warta"]
EXPOSE 8000
# The slim image has no curl: Python's urllib fails (exit 1) on a refused connection or any
# HTTP error status. It names a host WARTA_TRUSTED_HOSTS lets in (its first; "*" -> "health").
# compose.yaml replaces this check for the processes that serve no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('WARTA_TRUSTED_HOSTS', '').split(',')[0].strip().replace('*', 'health') or '127.0.0.1'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]
CMD ["warta", "serve", "--host", "0.0.0.0", "--no-worker"]
