# syntax=docker/dockerfile:1
# greenbot in a container: the project without its dev extras, compiled catalogs, a non-root user,
# the SQLite database on the /data volume. README ("Chạy bằng Docker" / "Running with Docker") shows
# how to build and run it; PostgreSQL instead of SQLite: set DATABASE_URL in the env file.
#
#   docker build -t greenbot .
#   docker run -d --name greenbot --env-file greenbot.env -v greenbot-data:/data --stop-timeout 15 greenbot

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: install into a virtualenv and compile the .po catalogs into .mo files
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/greenbot
# Dependencies change less often than the code: the metadata first, then the packages.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduler ./scheduler
COPY storage ./storage
COPY emulator ./emulator
RUN /opt/greenbot/bin/pip install .
# The catalogs are compiled here, from the .po files (never a stale .mo from the build context).
COPY babel.cfg ./
COPY scripts/i18n.sh ./scripts/
COPY locales ./locales
RUN PYTHON=/opt/greenbot/bin/python bash scripts/i18n.sh compile \
    && test -s locales/vi/LC_MESSAGES/greenbot.mo \
    && test -s locales/en/LC_MESSAGES/greenbot.mo \
    && mkdir -p /opt/greenbot/locales \
    && cp -r locales/vi locales/en /opt/greenbot/locales/

# ---- runtime: the same base image, the virtualenv and the catalogs, nothing else
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/greenbot/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LOCALES_DIR=/opt/greenbot/locales \
    DATA_DIR=/data \
    DATABASE_URL=sqlite+aiosqlite:////data/greenbot.sqlite3 \
    LOG_FORMAT=json

# A fixed numeric id, so that a volume's owner stays the same across rebuilds and so that
# "runAsNonRoot" checks (Kubernetes) can verify it.
RUN groupadd --system --gid 10001 greenbot \
    && useradd --system --uid 10001 --gid greenbot --home-dir /home/greenbot --create-home \
        --shell /usr/sbin/nologin greenbot \
    && mkdir /data \
    && chown greenbot:greenbot /data

COPY --from=build /opt/greenbot /opt/greenbot

USER 10001:10001
WORKDIR /home/greenbot
VOLUME ["/data"]

# Logs go to stderr (docker logs); SIGTERM (docker stop) lets the bot finish the update in hand.
ENTRYPOINT ["greenbot"]
CMD ["run"]
