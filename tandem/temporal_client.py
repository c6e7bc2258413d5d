"""Connecting to Temporal with the one data converter Tandem uses everywhere, locally or to a secured cluster
(Temporal Cloud: an API key, or mTLS with a client certificate)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.service import TLSConfig

from tandem.payload_codec import data_converter
from tandem.settings import Settings


async def connect(settings: Settings, *, lazy: bool = False) -> Client:
    """`lazy`: connect on the first call instead of now (a server that must start while Temporal is down)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_keys),
        api_key=settings.temporal_api_key,
        tls=_tls(settings),
        lazy=lazy,
    )


def _tls(settings: Settings) -> TLSConfig | bool:
    if settings.temporal_tls_cert is not None and settings.temporal_tls_key is not None:
        return TLSConfig(
            client_cert=settings.temporal_tls_cert.read_bytes(),
            client_private_key=settings.temporal_tls_key.read_bytes(),
        )
    return settings.temporal_tls or settings.temporal_api_key is not None
