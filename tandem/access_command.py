"""`tandem keys` (backends' API keys), `tandem agents` (local agent accounts) and `tandem api` (serve the HTTP
API). Key secrets and passwords are shown or asked for once and stored only as hashes; every change lands in
the audit trail as the operator's."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from tandem.access import secrets
from tandem.access.identity import Scope
from tandem.settings import Settings
from tandem.store import create_schema, make_engine
from tandem.store.access import AccessStore

USAGE_ERROR = 2


def register(commands: Any) -> None:
    keys = commands.add_parser("keys", help="API keys for backends: create, list, revoke")
    key_actions = keys.add_subparsers(required=True, metavar="ACTION")
    create = key_actions.add_parser("create", help="make a key (shown once)")
    create.add_argument("name", help="what the key is for, e.g. 'web backend'")
    create.add_argument(
        "--scope",
        action="append",
        choices=[s.value for s in Scope],
        help="tickets (default): open tickets, act for customers, mint customer tokens; operator: reports",
    )
    create.set_defaults(handler=_create_key)
    key_actions.add_parser("list", help="keys and their state").set_defaults(handler=_list_keys)
    revoke = key_actions.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=_revoke_key)
    payload = key_actions.add_parser("payload-key", help="a key to encrypt conversations in Temporal")
    payload.set_defaults(handler=_payload_key)

    agents = commands.add_parser("agents", help="local agent accounts (without an OIDC issuer)")
    agent_actions = agents.add_subparsers(required=True, metavar="ACTION")
    add = agent_actions.add_parser("add", help="add an agent, or set a new password")
    add.add_argument("agent_id")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=_add_agent)
    agent_actions.add_parser("list", help="accounts").set_defaults(handler=_list_agents)
    disable = agent_actions.add_parser("disable", help="refuse the account's logins")
    disable.add_argument("agent_id")
    disable.set_defaults(handler=_disable_agent)

    api = commands.add_parser("api", help="serve the HTTP API (TANDEM_API_PORT, default 8000)")
    api.set_defaults(handler=_serve)


def _access(settings: Settings) -> AccessStore:
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    return AccessStore(engine)


def _create_key(args: argparse.Namespace, settings: Settings) -> int:
    scopes = set(args.scope or [Scope.TICKETS.value])
    key_id, key = secrets.new_api_key()
    access = _access(settings)
    access.add_api_key(key_id, args.name, secrets.key_hash(key), scopes)
    access.audit(
        "operator", getpass.getuser(), "create_api_key", detail=f"{key_id} {args.name} {sorted(scopes)}"
    )
    print(f"key {key_id} ({args.name}; scopes: {', '.join(sorted(scopes))}). Shown once, store it now:")
    print(key)
    return 0


def _list_keys(args: argparse.Namespace, settings: Settings) -> int:
    found = _access(settings).api_keys()
    if not found:
        print("no API keys; make one with `tandem keys create NAME`")
    for key in found:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        print(f"{key.key_id}  {key.name}  scopes: {', '.join(sorted(key.scopes))}  {state}")
    return 0


def _revoke_key(args: argparse.Namespace, settings: Settings) -> int:
    access = _access(settings)
    if not access.revoke_api_key(args.key_id):
        print(f"error: no active key {args.key_id!r}", file=sys.stderr)
        return USAGE_ERROR
    access.audit("operator", getpass.getuser(), "revoke_api_key", detail=args.key_id)
    print(f"revoked {args.key_id}")
    return 0


def _payload_key(args: argparse.Namespace, settings: Settings) -> int:
    from tandem.payload_codec import new_key_spec

    current = [k for k in (settings.payload_keys or "").split(",") if k.strip()]
    spec = ",".join([new_key_spec(f"k{len(current) + 1}"), *current])
    print("Set on every worker, client and API server (the first key encrypts; the others still decrypt):")
    print(f"TANDEM_PAYLOAD_KEYS={spec}")
    return 0


def _add_agent(args: argparse.Namespace, settings: Settings) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.agent_id}: ")
        if getpass.getpass("again: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return USAGE_ERROR
    try:
        hashed = secrets.password_hash(password)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return USAGE_ERROR
    access = _access(settings)
    access.add_agent(args.agent_id, hashed, args.name)
    access.audit("operator", getpass.getuser(), "set_agent_password", detail=args.agent_id)
    print(f"agent {args.agent_id} can log in")
    return 0


def _list_agents(args: argparse.Namespace, settings: Settings) -> int:
    for account in _access(settings).agents():
        state = f"disabled {account.disabled_at:%Y-%m-%d}" if account.disabled_at else "active"
        print(f"{account.agent_id}  {account.display_name or '-'}  {state}")
    return 0


def _disable_agent(args: argparse.Namespace, settings: Settings) -> int:
    access = _access(settings)
    if not access.disable_agent(args.agent_id):
        print(f"error: no active agent {args.agent_id!r}", file=sys.stderr)
        return USAGE_ERROR
    access.audit("operator", getpass.getuser(), "disable_agent", detail=args.agent_id)
    print(f"disabled {args.agent_id}")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from tandem.api.app import create_app
    from tandem.api.config import ApiSettings

    api = ApiSettings()
    print(f"Tandem API on http://{api.api_host}:{api.api_port}  (OpenAPI: /openapi.json, docs: /docs)")
    uvicorn.run(create_app(settings, api), host=api.api_host, port=api.api_port, log_level="info")
    return 0
