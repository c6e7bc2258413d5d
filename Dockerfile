# The Tandem worker image (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY tandem ./tandem
COPY workflows ./workflows
COPY activities ./activities
COPY worker.py ./
COPY data/helpcenter ./data/helpcenter
RUN pip install --no-cache-dir .
ENV TANDEM_DATA_DIR=/var/lib/tandem
CMD ["tandem", "worker"]
