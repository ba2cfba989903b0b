"""The public surface: __all__ is sorted and complete, the models stay generated, and there is one client layer."""

from __future__ import annotations

import importlib.util
import inspect

import maas_kl_client
from maas_kl_client.models import Text2VideoRequest


def test_all_is_sorted() -> None:
    assert list(maas_kl_client.__all__) == sorted(maas_kl_client.__all__)


def test_all_is_complete_and_resolvable() -> None:
    for name in maas_kl_client.__all__:  # names load on first use (PEP 562); each must resolve
        assert getattr(maas_kl_client, name) is not None
    public = {
        name for name, value in vars(maas_kl_client).items() if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(maas_kl_client.__all__)
    assert {name for name in dir(maas_kl_client) if not name.startswith("_")} >= public


def test_brief_names_are_exported() -> None:
    expected = {
        "MaasKL", "AsyncMaasKL", "MaasKLError", "APIError", "AuthenticationError", "AccountError",
        "PermissionDeniedError", "InvalidRequestError", "NotFoundError", "ContentPolicyError", "RateLimitError",
        "ServerError", "APIConnectionError", "APITimeoutError", "TaskFailed", "TaskTimeout", "PreflightError",
        "CreateOutcomeUnknown", "DownloadError",
    }  # fmt: skip
    assert expected <= set(maas_kl_client.__all__)


def test_the_models_stay_generated_and_the_unused_client_layer_is_gone() -> None:
    assert Text2VideoRequest(prompt="p").to_dict() == {"prompt": "p"}
    for module in ("maas_kl_client.client", "maas_kl_client.api", "maas_kl_client.errors"):
        assert importlib.util.find_spec(module) is None, f"{module} is generated again"
    assert not {"Client", "AuthenticatedClient", "UnexpectedStatus"} & set(dir(maas_kl_client))
