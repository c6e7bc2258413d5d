"""Encrypted payloads: what the codec writes cannot be read without the key, rotates keys, and leaves
payloads written before encryption readable."""

from __future__ import annotations

import base64

import pytest
from temporalio.api.common.v1 import Payload

from tandem.payload_codec import ENCODING, EncryptionCodec, UnknownKey, new_key_spec, parse_keys


def _payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_encrypted_payloads_hide_their_content_and_come_back_whole() -> None:
    codec = EncryptionCodec(parse_keys(new_key_spec("k1")))
    original = [_payload('{"text": "my card 4111 was charged twice"}'), _payload("{}")]
    encrypted = await codec.encode(original)
    assert all(p.metadata["encoding"] == ENCODING for p in encrypted)
    assert b"4111" not in encrypted[0].SerializeToString()
    assert encrypted[0].data != (await codec.encode(original[:1]))[0].data, "a fresh nonce every time"
    assert await codec.decode(encrypted) == original


async def test_keys_rotate_and_plain_payloads_stay_readable() -> None:
    old_spec, new_spec = new_key_spec("k1"), new_key_spec("k2")
    old = EncryptionCodec(parse_keys(old_spec))
    rotated = EncryptionCodec(parse_keys(f"{new_spec},{old_spec}"))
    written_before = await old.encode([_payload("before")])
    assert await rotated.decode(written_before) == [_payload("before")]
    assert (await rotated.encode([_payload("after")]))[0].metadata["encryption-key-id"] == b"k2"
    assert await rotated.decode([_payload("never encrypted")]) == [_payload("never encrypted")]
    with pytest.raises(UnknownKey):
        await old.decode(await rotated.encode([_payload("after")]))


def test_bad_key_specs_are_refused() -> None:
    short = base64.b64encode(b"x" * 16).decode()
    for spec in ("", "k1", f"k1:{short}", ":" + base64.b64encode(b"x" * 32).decode()):
        with pytest.raises(ValueError):
            parse_keys(spec)
