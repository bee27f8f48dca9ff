# The PAR Index service: migrate, load the published Lam Dong data (never the demo), serve on 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /srv/app --no-create-home app

WORKDIR /srv/app

COPY pyproject.toml alembic.ini README.md ./
COPY app/ app/
COPY migrations/ migrations/

# Editable install: app/core/migrations.py finds alembic.ini and migrations/ next to the app package
# (Path(app.__file__).parent.parent), so the source tree stays in /srv/app. The code stays owned
# by root and read-only for the service; only ./var (the default SQLite location) is writable.
RUN pip install --no-cache-dir -e . \
    && mkdir var \
    && chown app:app var

# Production settings: DATABASE_URL (e.g. postgresql://user:password@host:5432/par_index) is
# given at run time; without it the service uses SQLite in /srv/app/var.
ENV APP_DATASETS__LOAD_DEMO=false \
    PORT=8000

USER app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]

# Migrating and loading are idempotent, so every start brings the database up to date first;
# exec hands PID 1 to uvicorn so it receives SIGTERM and shuts down cleanly.
CMD ["sh", "-c", "par-index migrate && par-index load --skip-demo && exec par-index serve --host 0.0.0.0 --port 8000"]
