"""Schemathesis, a property-based OpenAPI fuzzer, against the running API (real worker and dev server),
bounded in examples and time: no 5xx, and every response as the schema says (status, content type, body).
The event stream is left out: it never ends by design."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from tests.api.conftest import Api

EXAMPLES_PER_OPERATION = 12
TIME_LIMIT_S = 300


async def test_no_server_errors_and_no_schema_violations(api: Api, tmp_path: Path) -> None:
    _, key = api.add_key("fuzzer", {"tickets", "operator"})
    command = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    process = await asyncio.create_subprocess_exec(
        command,
        "run",
        f"{api.url}/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance",
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--exclude-path-regex",
        "/events$",
        "--generation-allow-x00",
        "true",
        "--request-timeout",
        "60",
        "--seed",
        "1",
        "--header",
        f"Authorization: Bearer {key}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    output, _ = await asyncio.wait_for(process.communicate(), TIME_LIMIT_S)
    report = output.decode(errors="replace")
    assert process.returncode == 0, report[-6000:]
