"""The workflow process (`tandem worker --processes N`, role "workflows") loads no index, model or numpy:
importing the workflow and the worker module names the activities without their domain services, so that
process starts in about a second and holds about 20 MB less."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MODELS = ("numpy", "bm25s", "Stemmer", "wordllama", "tokenizers", "safetensors", "spellchecker")


def test_the_workflow_and_worker_modules_load_no_model() -> None:
    code = (
        "import json, sys; import worker, workflows.conversation; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {MODELS!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    loaded = json.loads(done.stdout)
    assert sorted({name.split(".")[0] for name in loaded}) == [], loaded
