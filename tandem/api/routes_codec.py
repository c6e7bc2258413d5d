"""Temporal's codec server protocol, so the Temporal UI (and CLI) can show encrypted conversation payloads to
people allowed to see them: agents (in production, the UI passes the signed-in person's OIDC token) and
operator API keys. Point the UI's codec endpoint at `<api>/codec` (TANDEM_CODEC_CORS_ORIGINS must name the
UI's origin)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from tandem.access.identity import Kind, Scope
from tandem.api.auth import AnyCaller
from tandem.api.problems import RESPONSES, Problem, not_allowed
from tandem.payload_codec import UnknownKey

router = APIRouter(prefix="/codec", tags=["operators"], responses=RESPONSES)


@router.post("/decode", include_in_schema=False)
@router.post("/{namespace}/decode", include_in_schema=False)
async def decode(request: Request, who: AnyCaller) -> Response:
    return await _convert(request, who, encode=False)


@router.post("/encode", include_in_schema=False)
@router.post("/{namespace}/encode", include_in_schema=False)
async def encode(request: Request, who: AnyCaller) -> Response:
    return await _convert(request, who, encode=True)


async def _convert(request: Request, who: AnyCaller, *, encode: bool) -> Response:
    if not (who.kind is Kind.AGENT or (who.kind is Kind.BACKEND and who.may(Scope.OPERATOR))):
        raise not_allowed("for support agents and operator keys")
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except json_format.ParseError as err:
        raise Problem(422, "invalid_request", "Not a Payloads message", str(err)[:300]) from None
    codec = request.app.state.payload_codec
    if codec is not None:
        try:
            converted = await (codec.encode if encode else codec.decode)(payloads.payloads)
        except UnknownKey as err:
            lacking = Problem(422, "unknown_payload_key", "Encrypted with a key this server lacks", str(err))
            raise lacking from None
        payloads = Payloads(payloads=converted)
    return Response(json_format.MessageToJson(payloads), media_type="application/json")
