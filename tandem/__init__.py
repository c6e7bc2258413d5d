"""Tandem: AI customer support in which the AI and human agents work in tandem."""

import os

# Tandem runs numpy from many threads at once (a worker's activities, the API's requests), each on small
# matrices. BLAS libraries' own thread pools then oversubscribe the cores and spin: measured with 16
# activity threads on 2 cores, 41 ms of CPU per answer instead of 22. One BLAS thread per caller, unless
# the deployment says otherwise; set before numpy is first imported, which every Tandem process does after
# importing this package.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
