"""The mock as the in-process suite runs it: two known tenants, room for a stateful run, responses self-checked."""

from __future__ import annotations

from maas_kl_mock import MockApp, MockConfig, create_app

TENANT_KEY = "contract-tenant-a"
OTHER_TENANT_KEY = "contract-tenant-b"


def contract_mock_app() -> MockApp:
    """Return a fresh mock app: known tokens (so ignored_auth can fail), a roomy concurrency limit.

    Tokens are a fixed list because with the default (any well-formed token is its own tenant) a
    made-up key is accepted and schemathesis's ignored_auth check would rightly complain. The
    concurrency limit is raised because tasks hold a slot for 4 s of real time and a stateful run
    creates many; 429 / 1303 is itself checked by the scenario and end-to-end tests.
    """
    return create_app(
        MockConfig(
            tokens=frozenset({TENANT_KEY, OTHER_TENANT_KEY}),
            concurrency_limit=10_000,
            check_responses=False,
            record_calls=10,
        )
    )
