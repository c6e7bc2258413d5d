"""glibc malloc settings for a worker that runs many activity threads (Linux; elsewhere nothing to do).

- Two arenas (`ARENAS`): glibc gives each thread that allocates its own arena, up to 8 per core; with 16
  activity threads the arenas fragment and hold freed memory (461 MB RSS after 400 answers on 16 threads,
  348 MB with two arenas, at the same speed).
- A fixed mmap threshold (`MMAP_THRESHOLD`): by default glibc raises the threshold each time a large block
  is freed (up to 32 MB), so numpy's per-answer temporaries of a few hundred KB move into the arenas and
  stay there as fragments. Kept at 128 KB, they are mapped and given back to the system when freed: about
  25-30 MB less after 400 answers, at the same speed. Set once the index is built (building maps and
  unmaps thousands of large blocks: 0.7 s slower with the threshold set first), and the build's freed
  temporaries are then given back (`malloc_trim`).

A deployment's own MALLOC_ARENA_MAX or MALLOC_MMAP_THRESHOLD_ wins. Call after building the services and
before the activity threads start.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys

ARENAS = 2
MMAP_THRESHOLD = 128 * 1024
M_ARENA_MAX = -8  # mallopt(3)
M_MMAP_THRESHOLD = -3


def tune_malloc() -> dict[str, int]:
    """Apply the settings the environment does not set; returns what was applied (for the tests and logs)."""
    if not sys.platform.startswith("linux"):
        return {}
    wanted = {
        "MALLOC_ARENA_MAX": (M_ARENA_MAX, ARENAS),
        "MALLOC_MMAP_THRESHOLD_": (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
    }
    applied: dict[str, int] = {}
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl)
        libc = ctypes.CDLL("libc.so.6")
        for variable, (option, value) in wanted.items():
            if variable not in os.environ and libc.mallopt(option, value) == 1:
                applied[variable] = value
        libc.malloc_trim(0)
    return applied
