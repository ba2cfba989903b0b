"""The spec shipped in the package is the repository's spec, byte for byte: drift fails make test."""

from pathlib import Path

from maas_kl_mock._spec import bundled_spec_path, load_spec

SOURCE = Path(__file__).resolve().parents[2] / "openapi" / "maas_kl.yaml"


def test_shipped_spec_is_the_source_spec() -> None:
    assert bundled_spec_path().read_bytes() == SOURCE.read_bytes(), (
        "mock_server/src/maas_kl_mock/data/maas_kl.yaml differs from openapi/maas_kl.yaml; run `make mock-spec`"
    )


def test_spec_is_loaded_once_and_compiled() -> None:
    spec = load_spec()
    assert load_spec() is spec
    assert {op.operation_id for op in spec.operations} == {
        "create_text2video_task",
        "get_text2video_task",
        "create_image2video_task",
        "get_image2video_task",
        "create_video_extend_task",
        "get_video_extend_task",
    }
    assert spec.base_path == ("v1", "ai", "{endpointPath}", "kling")
