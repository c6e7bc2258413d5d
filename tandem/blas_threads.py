"""Imported first by Tandem's own processes (worker, CLI, API, tests, benchmarks), never by `tandem.client`:
one BLAS thread per caller unless the deployment says otherwise.

Those processes run numpy from many threads at once (a worker's activities, the API's requests), each on small
matrices, and BLAS libraries' own thread pools then oversubscribe the cores and spin: with 16 activity threads
on 2 cores, 41 ms of CPU per answer instead of 22. The variables must be set before numpy is first imported.
A backend that imports only the client keeps its own BLAS settings.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
