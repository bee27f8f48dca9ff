# The PAR Index service: migrate, load the published Lam Dong data (never the demo), serve on 8000.
# The base image is pinned by digest (python:3.11-slim), so a rebuild of the same commit starts
# from the same bytes. To move to a newer base: `docker buildx imagetools inspect python:3.11-slim`
# prints the current digest; put it here and rebuild.
FROM python:3.11-slim@sha256:be1575ed968de893bd54f4c56315ff7c4736ce522c1bca08fd521731aafc0d76

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /srv/app --no-create-home app

WORKDIR /srv/app

# The locked runtime dependencies, each checked against its hash (requirements/runtime.txt,
# written by `make lock`); a layer of its own, rebuilt only when the lock changes.
COPY requirements/runtime.txt requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt

COPY pyproject.toml alembic.ini README.md ./
COPY app/ app/
COPY migrations/ migrations/

# Editable install: app/core/migrations.py finds alembic.ini and migrations/ next to the app package
# (Path(app.__file__).parent.parent), so the source tree stays in /srv/app. No dependencies and no
# build isolation: everything, the locked setuptools included, is already installed above. The
# code stays owned by root and read-only for the service; only ./var (the default SQLite
# location) is writable.
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
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
# on PostgreSQL both hold an advisory lock, so replicas starting together migrate and load once
# while the others wait. exec hands PID 1 to uvicorn so it receives SIGTERM and shuts down cleanly.
CMD ["sh", "-c", "par-index migrate && par-index load --skip-demo && exec par-index serve --host 0.0.0.0 --port 8000"]
