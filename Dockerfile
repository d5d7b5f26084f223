# The dashboard and the `segments` command in one image (web: gunicorn; migrate: segments db upgrade).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SEGMENTS_MIGRATIONS_DIR=/app/migrations

WORKDIR /app
COPY . /app
RUN pip install . \
    && useradd --create-home --uid 10001 segments \
    && mkdir -p /data && chown segments /data
USER segments

EXPOSE 8050
# Liveness only (/healthz does not touch the database): replacing the container cannot fix a
# database outage, and the app recovers by itself. Load balancers should probe /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8050/healthz', timeout=4)"]
# gthread workers: a callback waiting on the database does not hold up the other clients.
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--threads", "4", "--timeout", "300", \
     "--access-logfile", "-", "webapp.wsgi:server"]
