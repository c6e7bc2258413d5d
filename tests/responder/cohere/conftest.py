"""The loopback Cohere v2 server and a `CohereResponder` on it, through the real SDK."""

from __future__ import annotations

import pytest

from tandem.adapters.cohere_client import make_cohere_client
from tandem.responder.cohere_responder import CohereResponder
from tests.adapters.cohere_wire import CohereWireServer, server_fixture
from tests.responder.cohere.cases import API_KEY, MODEL

server = server_fixture(API_KEY)


@pytest.fixture
def responder(server: CohereWireServer) -> CohereResponder:
    return CohereResponder(make_cohere_client(API_KEY, server.base_url), MODEL, confidence_threshold=0.35)
