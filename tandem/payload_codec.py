"""Conversation payloads encrypted in Temporal's history (AES-256-GCM): customers' messages, names and
account facts never rest in the Temporal server in the clear. Keys come from settings
(`TANDEM_PAYLOAD_KEYS="id:base64-32-bytes,..."`, the first encrypts, all decrypt, so keys can be rotated);
without keys nothing is encrypted. The API's codec endpoint (`/codec/decode`) lets the Temporal UI show
payloads to operators who may see them."""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class UnknownKey(ValueError):
    """A payload encrypted with a key this process does not have."""


def parse_keys(spec: str) -> dict[str, bytes]:
    """`id:base64,id:base64` -> {id: key}; each key 32 bytes (AES-256). The first is the one that encrypts."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key_id, sep, encoded = part.partition(":")
        key = base64.b64decode(encoded) if sep else b""
        if not key_id or len(key) != 32:
            raise ValueError("payload keys are 'id:base64' with 32-byte keys, comma-separated")
        keys[key_id] = key
    if not keys:
        raise ValueError("no payload key given")
    return keys


def new_key_spec(key_id: str = "k1") -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes]) -> None:
        self._current = next(iter(keys))
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._ciphers[self._current]
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            data = nonce + cipher.encrypt(nonce, payload.SerializeToString(), None)
            metadata = {"encoding": ENCODING, KEY_ID: self._current.encode()}
            encoded.append(Payload(metadata=metadata, data=data))
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)  # written before encryption was on: readable as it is
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise UnknownKey(f"payload encrypted with key {key_id!r}, which is not configured")
            plain = cipher.decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], None)
            decoded.append(Payload.FromString(plain))
        return decoded


def data_converter(payload_keys: str | None) -> DataConverter:
    """The pydantic data converter Tandem uses everywhere, encrypting when keys are configured."""
    if not payload_keys:
        return pydantic_data_converter
    codec = EncryptionCodec(parse_keys(payload_keys))
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)
