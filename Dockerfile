# ibax-node in a container: `docker build -t ibax-node .`; docker-compose.yml runs it on PostgreSQL.
# No Docker engine runs on the development machines: tests/node/test_container.py runs these
# steps in a plain venv (dependencies, then the package, then the node and its healthcheck).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src

# Dependencies in their own layer, rebuilt only when pyproject.toml changes (not with the code).
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
    && pip install --no-cache-dir -r requirements.txt

# The node itself: every package pyproject.toml ships, and the README it names.
COPY README.md ./
COPY node ./node
COPY api ./api
COPY chain ./chain
COPY contracts ./contracts
COPY pages ./pages
RUN pip install --no-cache-dir --no-deps .

# An unprivileged user owns the data dir (keys, JWT secret, the SQLite file), a volume.
RUN useradd --system --create-home --uid 10001 ibax \
    && mkdir /data \
    && chown ibax:ibax /data
USER ibax
WORKDIR /home/ibax
ENV IBAX_DATA_DIR=/data \
    IBAX_HOST=0.0.0.0 \
    IBAX_PORT=7079
VOLUME ["/data"]
EXPOSE 7079

# Ready: database reachable, migrations current, block producer running (slim has no curl).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7079/readyz', timeout=4)"]

ENTRYPOINT ["ibax-node"]
CMD ["run"]
