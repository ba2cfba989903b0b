"""The shared validator (maas_kl_specfacts/_schema.py): loud on unknown keywords, response bodies, document order."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from maas_kl_mock import MockConfig, MockCore
from maas_kl_specfacts import SpecFacts, SpecSchemas, UnknownKeywordError, Validator, Violation, resolve

from generator import spec_data
from tests.specfacts.test_facts import SPEC

FACTS = SpecFacts(SPEC)
SCHEMAS = SpecSchemas(SPEC)
TEXT = FACTS.families["text2video"]


def _widened(keyword: str, value: Any) -> dict[str, Any]:
    """The spec with `keyword` added to the prompt schema."""
    spec = copy.deepcopy(SPEC)
    spec["components"]["schemas"]["Prompt"][keyword] = value
    return spec


@pytest.mark.parametrize(("keyword", "value"), [("exclusiveMaximum", 3), ("unevaluatedProperties", False)])
def test_an_unknown_keyword_fails_generation_and_mock_start(tmp_path: Path, keyword: str, value: Any) -> None:
    spec = _widened(keyword, value)
    with pytest.raises(UnknownKeywordError, match=keyword):
        spec_data.render(spec)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"Prompt: JSON Schema keyword '{keyword}' is not understood"):
        MockCore(MockConfig(spec_path=path))  # the mock's start-up raises the interpreter's UnknownKeywordError


def test_annotations_and_extensions_are_not_keywords() -> None:
    spec = _widened("x-note", {"anything": 1})
    spec["components"]["schemas"]["Prompt"]["deprecated"] = False
    assert SpecSchemas(spec).request(TEXT.create, {"prompt": "p"}) == []
    assert SpecSchemas(spec).request(TEXT.create, {"prompt": ""})[0].rule == "minLength"


def _examples() -> list[tuple[str, str, Any]]:
    """Every named response example of every operation: (operationId, status, value)."""
    found = []
    for item in SPEC["paths"].values():
        for raw in item.values():
            for status, response in raw.get("responses", {}).items():
                content = resolve(SPEC, response).get("content", {}).get("application/json", {})
                found += [(raw["operationId"], status, ex["value"]) for ex in content.get("examples", {}).values()]
    return found


def test_every_response_example_is_valid_and_a_broken_one_is_named() -> None:
    examples = _examples()
    assert len(examples) > 20
    for operation, status, value in examples:
        assert SCHEMAS.response(operation, status, value) == [], (operation, status, value)
    ok = next(v for op, st, v in examples if op == TEXT.query and st == "200")
    assert [(v.pointer, v.rule) for v in SCHEMAS.response(TEXT.query, 200, {**ok, "code": 1201})] == [
        ("/code", "const")
    ]
    refused = {"code": 1302, "message": "slow down", "request_id": "r", "data": {}}
    assert SCHEMAS.response(TEXT.query, 429, refused) == [Violation("/data", "not", "must be left out")]
    assert SCHEMAS.response(TEXT.query, 299, refused) == []  # an undeclared status has no schema to judge


def test_first_is_the_head_of_violations_in_document_order() -> None:
    validator = Validator({"$ref": TEXT.request_schema}, SPEC)
    body = {"prompt": "", "cfg_scale": 3, "duration": 5, "surprise": 1}
    found = validator.violations(body)
    assert [(v.field, v.rule) for v in found] == [
        ("surprise", "additionalProperties"),  # the schema lists additionalProperties before properties
        ("prompt", "minLength"),
        ("cfg_scale", "maximum"),
        ("duration", "type"),
    ]
    assert validator.first(body) == found[0]
    assert validator.first({"prompt": "p"}) is None


def test_violation_fields_read_as_a_caller_writes_them() -> None:
    assert Violation("/dynamic_masks/0/trajectories/1/x", "minimum", "m").field == "dynamic_masks[0].trajectories[1].x"
    assert Violation("", "type", "m").field == ""


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in _patterns(value)]
    return [p for value in node for p in _patterns(value)] if isinstance(node, list) else []


SAMPLES = ["", "5", "12", "1.5", "1.", "abc", "aGVsbG8=", "aGVsbG8=\n", "http://a", "http://a\x1f", "http://a b",
           "http://a\u00a0", "https://x/y\n", "Mon, 01 Jan 2024 10:00:00 GMT", "Mon, 01 Jan 2024 10:00:00 GMT\n",
           "\u0661\u0662", "a\u2028b"]  # fmt: skip


@pytest.mark.parametrize("pattern", sorted(set(_patterns(SPEC))))
def test_patterns_read_as_ecma_262_like_jsonschema_rs(pattern: str) -> None:
    ours = Validator({"type": "string", "pattern": pattern})
    theirs = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": pattern})
    assert [ours.first(s) is None for s in SAMPLES] == [theirs.is_valid(s) for s in SAMPLES]


def test_a_pattern_finding_says_its_description_in_whole_words() -> None:
    schema = {"type": "string", "pattern": "^a+$", "description": "Only the letter a. " + "More words here " * 40}
    [found] = Validator(schema).violations("b")
    assert found.message == "must match ^a+$ (Only the letter a)"
    long = {"type": "string", "pattern": "^a+$", "description": "word " * 100}
    [cut] = Validator(long).violations("b")
    assert cut.message.endswith("word ...)")
    assert "wor)" not in cut.message
