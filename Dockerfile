# syntax=docker/dockerfile:1
# Production images, both from the one release build (scripts/build-release):
#   app   – web (gunicorn), workers and beat
#   proxy – nginx in front of gunicorn, with the collected static files baked in
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production

# ffmpeg for the media pipeline; Noto and DejaVu fonts plus libraqm/fribidi for the partner
# kit's right-to-left text; Node.js only to install the pinned front-end packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ffmpeg fonts-noto-core fonts-dejavu-core libraqm0 libfribidi0 libharfbuzz0b libcairo2 \
      nodejs npm curl gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9
# .dockerignore keeps local state, tests and the YouTube stand-in out of the context.
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv --mount=type=cache,target=/root/.npm \
    scripts/build-release

RUN useradd --system --uid 10001 --home /app app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
# Worker class, timeouts and bind address: config/gunicorn.py (chosen by bench/slow_clients.py).
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.py"]

FROM nginx:1.26-bookworm AS proxy
# The official image renders /etc/nginx/templates/*.template with envsubst at start.
COPY deploy/nginx/zusammen-mehr.conf.template /etc/nginx/templates/default.conf.template
COPY deploy/nginx/tls-on.conf deploy/nginx/tls-off.conf /etc/nginx/snippets/
COPY --from=app /app/var/staticfiles /srv/static
