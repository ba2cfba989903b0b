import pytest
from maas_kl_mock import ApiError, load_spec
from maas_kl_mock.pipeline.router import Router


@pytest.fixture
def router() -> Router:
    return Router(load_spec())


@pytest.mark.parametrize(
    ("method", "path", "operation", "params"),
    [
        ("POST", "/v1/ai/XXX/kling/videos/text2video", "create_text2video_task", {}),
        ("GET", "/v1/ai/abc/kling/videos/text2video/123", "get_text2video_task", {"id": "123"}),
        ("POST", "/v1/ai/abc/kling/videos/image2video", "create_image2video_task", {}),
        ("GET", "/v1/ai/abc/kling/videos/image2video/my-job", "get_image2video_task", {"id": "my-job"}),
        ("POST", "/v1/ai/abc/kling/videos/video-extend", "create_video_extend_task", {}),
        ("GET", "/v1/ai/abc/kling/videos/video-extend/9", "get_video_extend_task", {"id": "9"}),
    ],
)
def test_routes_the_real_layout(router: Router, method: str, path: str, operation: str, params: dict[str, str]) -> None:
    route = router.match(method, path)
    assert route.operation.operation_id == operation
    assert route.params == params


def test_wrong_method_is_404_1202_with_allow(router: Router) -> None:
    with pytest.raises(ApiError) as caught:
        router.match("PUT", "/v1/ai/XXX/kling/videos/text2video/1")
    assert _status_code(caught.value) == (404, 1202)
    assert caught.value.headers == [("Allow", "GET")]
    assert "PUT" in caught.value.message


@pytest.mark.parametrize(
    "path",
    ["/", "/v1", "/v1/ai/XXX/kling", "/v1/ai/XXX/kling/videos/nope", "/v1/ai//kling/videos/text2video", "/x/y"],
)
def test_unknown_path_is_404_1203(router: Router, path: str) -> None:
    with pytest.raises(ApiError) as caught:
        router.match("GET", path)
    assert _status_code(caught.value) == (404, 1203)
    assert "/v1/ai/{endpointPath}/kling/videos" in caught.value.message


def test_endpoint_paths_can_be_restricted() -> None:
    router = Router(load_spec(), endpoint_paths={"mine"})
    assert router.match("POST", "/v1/ai/mine/kling/videos/text2video").endpoint_path == "mine"
    with pytest.raises(ApiError):
        router.match("POST", "/v1/ai/other/kling/videos/text2video")


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("job%2F1", "job/1"),
        ("a%2Fb%2Fc", "a/b/c"),
        ("%2e%2e", ".."),  # only a key to look up: 404 / 1203 unless the tenant has a task of that id
        ("..%2F..%2Fadmin", "../../admin"),
        ("%C3%A9", "é"),
    ],
)
def test_path_parameters_are_decoded_after_matching(router: Router, raw: str, decoded: str) -> None:
    route = router.match("GET", f"/v1/ai/XXX/kling/videos/text2video/{raw}")
    assert route.operation.operation_id == "get_text2video_task"
    assert route.params == {"id": decoded}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/ai/XXX/kling/videos/text2video/job/1",  # a literal slash is a separator: one segment too many
        "/v1/ai/XXX/kling/videos%2Ftext2video/1",  # an encoded slash never separates literals
        "/v1/ai/XXX/kling%2Fvideos/text2video",
    ],
)
def test_slashes_split_only_where_they_are_literal(router: Router, path: str) -> None:
    with pytest.raises(ApiError) as caught:
        router.match("GET", path)
    assert _status_code(caught.value) == (404, 1203)


def _status_code(error: ApiError) -> tuple[int, int]:
    row = error.row(load_spec().facts.codes)
    return row.status, row.code
