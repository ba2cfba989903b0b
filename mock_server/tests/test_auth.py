import pytest
from maas_kl_mock import ApiError, load_spec
from maas_kl_mock.pipeline.auth import Authenticator
from mock_harness import API, Harness, body


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_is_1001(header: str | None) -> None:
    with pytest.raises(ApiError) as caught:
        Authenticator().tenant(header)
    assert _status_code(caught.value) == (401, 1001)


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer a b", "token", "Bearer ü"])
def test_malformed_header_is_1002(header: str) -> None:
    with pytest.raises(ApiError) as caught:
        Authenticator().tenant(header)
    assert _status_code(caught.value) == (401, 1002)


def test_each_token_is_its_own_tenant() -> None:
    auth = Authenticator()
    assert auth.tenant("Bearer one") == "one"
    assert auth.tenant("bearer two==") == "two=="


def test_configured_tokens_refuse_others() -> None:
    auth = Authenticator(["good"])
    assert auth.tenant("Bearer good") == "good"
    with pytest.raises(ApiError) as caught:
        auth.tenant("Bearer bad")
    assert _status_code(caught.value)[1] == 1002


def test_auth_failure_is_the_envelope_through_the_core() -> None:
    response = Harness().send("GET", f"{API}/text2video/1", token=None)
    assert response.status == 401
    assert set(body(response)) == {"code", "message", "request_id"}
    assert body(response)["code"] == 1001


def _status_code(error: ApiError) -> tuple[int, int]:
    row = error.row(load_spec().facts.codes)
    return row.status, row.code
