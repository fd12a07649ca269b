# Production-like image for the portal: web (gunicorn), Celery worker and Celery beat all run
# from this one image; docker-compose.yml picks the command. Settings come from the environment
# (see portal/settings.py), nothing secret is baked in.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=2

# Libraries WeasyPrint loads at run time (Pango pulls in GLib, HarfBuzz and fontconfig), HarfBuzz's
# subsetter (used by WeasyPrint when present) and libmagic for python-magic. No font packages:
# the portal ships its own fonts under static/fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        libmagic1 \
    && rm -rf /var/lib/apt/lists/*

# A non-root user with a home directory (gunicorn puts its control socket under $HOME).
RUN groupadd --system app \
    && useradd --system --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. pyproject.toml declares no Python
# packages of its own (packages = []): `pip install .` installs the dependencies and the code is
# run from /app. README.md is needed because pyproject.toml names it as the readme.
COPY pyproject.toml README.md ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .

# Static files are collected into the image (served by WhiteNoise). The key below exists only for
# this build step: it is not stored in the image, and the real one comes from the environment.
RUN SECRET_KEY="collectstatic-only-build-key-not-used-at-run-time-0123456789abcdef" DEBUG=false \
        PAYMENT_SANDBOX_ALLOWED=true \
        python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/media \
    && chown app:app /app/media

USER app

EXPOSE 8000

# /healthz checks the database, cache, broker and Celery beat heartbeat, and answers 503 when one
# fails. The Host header is the first ALLOWED_HOSTS entry so Django accepts the request, and
# X-Forwarded-Proto: https keeps SECURE_SSL_REDIRECT from redirecting it. The start period covers
# the first beat heartbeat (every BEAT_HEARTBEAT_SECONDS, 60 s by default).
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=8)"]

# gunicorn reads the number of workers from WEB_CONCURRENCY itself (default above: 2).
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
