"""Tandem's front door: the HTTP API (/v1), its identity checks and live events."""

import tandem.blas_threads  # noqa: F401  (before numpy loads)
