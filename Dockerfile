# syntax=docker/dockerfile:1
# SIGMAX sentiment & research collector: `collector serve` on port 9188.
# Build:  docker build -t sigmax-collector .
# Run:    docker run -p 9188:9188 -e CRYPTOPANIC_API_KEY=... \
#           -v "$PWD/feeds.yaml:/etc/collector/feeds.yaml:ro" sigmax-collector

# ---- build stage: the wheel ------------------------------------------------------------------------
FROM python:3.11.11-slim-bookworm AS build
WORKDIR /src
RUN pip install --no-cache-dir build==1.2.2
COPY pyproject.toml README.md ./
COPY collector ./collector
RUN python -m build --wheel --outdir /dist

# ---- runtime stage: a venv with the wheel, non-root ------------------------------------------------
FROM python:3.11.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH \
    COLLECTOR_CONFIG=/etc/collector/feeds.yaml \
    COLLECTOR_PORT=9188
COPY --from=build /dist/*.whl /tmp/
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir /tmp/*.whl \
    && rm -f /tmp/*.whl \
    && groupadd --system --gid 10001 collector \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin collector
# The default config; mount your own read-only over it.
COPY feeds.yaml /etc/collector/feeds.yaml
USER 10001:10001
EXPOSE 9188
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('COLLECTOR_PORT', '9188'), timeout=4); sys.exit(0)"]
ENTRYPOINT ["collector"]
CMD ["serve"]
