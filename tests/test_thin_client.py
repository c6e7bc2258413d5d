"""A backend imports `tandem.client` with temporalio and pydantic only, never the worker's dependencies; the
workflow process imports no model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("sqlalchemy", "sqlmodel", "numpy", "cohere", "workflows", "activities", "bm25s", "wordllama")
MODELS = ("numpy", "bm25s", "Stemmer", "wordllama", "tokenizers", "safetensors", "spellchecker")


def _python(code: str, env: dict[str, str] | None = None) -> str:
    """What `code` prints in a fresh interpreter (in this one the test suite has long imported everything)."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        check=True,
    )
    return done.stdout


def _loaded(imports: str, roots: tuple[str, ...]) -> list[str]:
    """The top-level packages among `roots` a fresh interpreter holds after `imports`."""
    code = (
        f"import json, sys; {imports}; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {roots!r})))"
    )
    return sorted({name.split(".")[0] for name in json.loads(_python(code))})


def test_importing_the_client_loads_none_of_the_worker() -> None:
    assert _loaded("import tandem.client", HEAVY) == []


def test_the_workflow_process_loads_no_model() -> None:
    """The workflow process (`tandem worker --processes N`) imports the workflow and the worker module: they
    name the activities without their domain services, so it loads no index, model or numpy (about 20 MB
    less, and it starts sooner)."""
    assert _loaded("import worker, workflows.conversation", MODELS) == []


def test_the_client_names_what_the_workflow_defines() -> None:
    """The client addresses SupportConversation by name: every name it uses is a handler of the workflow,
    and each result type is the handler's own (what the pydantic converter decodes a result into)."""
    from temporalio import workflow

    from tandem import client
    from workflows.conversation import SupportConversation

    defn = workflow._Definition.must_from_class(SupportConversation)
    assert defn.name == client.WORKFLOW_TYPE
    assert {name: defn.updates[name].ret_type for name in client._UPDATES} == client._UPDATES
    assert {name: defn.queries[name].ret_type for name in client._QUERIES} == client._QUERIES
    assert defn.signals.keys() >= client._SIGNALS


def test_the_client_leaves_the_backends_blas_threads_alone() -> None:
    """Tandem's own processes run one BLAS thread per caller (tandem.blas_threads); a backend that imports
    the client keeps its own setting, and the worker sets it before numpy loads."""
    code = (
        "import os, sys; import tandem.client; print(os.environ.get('OPENBLAS_NUM_THREADS')); import worker; "
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    printed = _python(code, env)
    assert printed.split() == ["None", "1"], printed


def test_an_offline_worker_loads_no_cohere_sdk_nor_alembic(tmp_path: Path) -> None:
    """Without a Cohere key the activities never load the Cohere SDK (and httpx with it), and a store
    already at the newest schema never loads Alembic: about 15 MB less in every worker process."""
    url = f"sqlite:///{tmp_path / 'tandem.db'}"
    _python(f"from tandem.store import create_schema, make_engine; create_schema(make_engine({url!r}))")
    settings = f"Settings(data_dir=Path({str(tmp_path)!r}), database_url={url!r}, cohere_api_key='')"
    imports = (
        "from pathlib import Path; from tandem.settings import Settings; import worker; "
        f"worker.build_activities({settings})"
    )
    assert _loaded(imports, ("cohere", "httpx", "alembic")) == []
