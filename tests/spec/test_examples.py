"""Every example in the spec is valid against its own schema, and the document's examples are all there."""

from __future__ import annotations

import pytest

from tests.spec.spec_model import Example, iter_examples, load_spec, schema_validator

EXAMPLES = list(iter_examples())


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_example_validates_against_its_schema(example: Example) -> None:
    errors = sorted(schema_validator(example.schema).iter_errors(example.value), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_document_examples_are_present() -> None:
    paths = load_spec()["paths"]

    def request_example(path: str) -> object:
        return paths[path]["post"]["requestBody"]["content"]["application/json"]["examples"]["document"]["value"]

    assert request_example("/videos/text2video") == {"model_name": "kling-v1", "prompt": "A dog running on the grass"}
    assert request_example("/videos/image2video")["prompt"] == "Nezha practicing martial arts"  # type: ignore[index]
    assert request_example("/videos/video-extend")["video_id"] == "51bc9fb8-8068-44af-9e35-121212"  # type: ignore[index]
    documented = {e.where for e in EXAMPLES if e.where.endswith(" 200 document")}
    assert len(documented) == 6, documented


def test_schema_rejects_a_broken_example() -> None:
    """Guards the example check itself: a value breaking a bound must be reported."""
    validator = schema_validator({"$ref": "#/components/schemas/Text2VideoRequest"})
    assert not validator.is_valid({"prompt": "x" * 2501})
