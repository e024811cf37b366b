# Production image: one image for web, workers and beat.
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
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
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && mkdir -p static/vendor \
 && cp node_modules/tus-js-client/dist/tus.min.js static/vendor/tus.min.js
COPY . .
RUN export DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://b@b/b \
    REDIS_URL=redis://b:6379/0 && python manage.py collectstatic --no-input -v0 \
 && python manage.py compilemessages -v0

RUN useradd --system --uid 10001 --home /app app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", \
     "--access-logfile", "-"]
