"""How many processes a worker runs by default: two (a workflow process and an activity process) when the
host writes the answers itself and has the cores for it, one when a model service writes them."""

from __future__ import annotations

from tandem.settings import Settings
from worker import default_processes


def test_a_host_answering_on_its_own_cores_splits_workflows_from_answers() -> None:
    offline = Settings().model_copy(update={"cohere_api_key": None})
    assert default_processes(offline, cores=2) == 2
    assert default_processes(offline, cores=8) == 2


def test_one_core_or_a_model_service_keeps_one_process() -> None:
    assert default_processes(Settings().model_copy(update={"cohere_api_key": None}), cores=1) == 1
    assert default_processes(Settings().model_copy(update={"cohere_api_key": "co-key"}), cores=4) == 1
