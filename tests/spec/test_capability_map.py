"""The capability map is well-formed data that names real operations, models and fields."""

from __future__ import annotations

from typing import Any

from tests.spec.spec_model import deref, load_spec, operations

COMBOS = {"std5", "std10", "pro5", "pro10"}


def _map() -> dict[str, Any]:
    capability_map: dict[str, Any] = load_spec()["x-capability-map"]
    return capability_map


def test_every_model_is_covered_by_every_rule() -> None:
    enum = set(load_spec()["components"]["schemas"]["ModelName"]["enum"])
    aliases = _map()["aliases"]
    canonical = enum - set(aliases)
    assert set(aliases.values()) <= canonical
    for rule in _map()["rules"]:
        assert set(rule["supported"]) == canonical, rule["name"]
        for combos in rule["supported"].values():
            assert set(combos) <= COMBOS, rule["name"]


def test_rules_name_real_operations_and_fields() -> None:
    bodies = {
        op["operationId"]: deref(op["requestBody"]["content"]["application/json"]["schema"])
        for _, _, op in operations()
        if "requestBody" in op
    }
    for rule in _map()["rules"]:
        properties = bodies[rule["operation"]]["properties"]
        for field in [*rule["when_present"], *rule.get("when_absent", []), *rule.get("requires", {})]:
            assert field.split(".")[0] in properties, f"{rule['name']}: {field}"


def test_defaults_agree_with_schema_defaults() -> None:
    schemas = load_spec()["components"]["schemas"]
    defaults = _map()["defaults"]
    aliases = _map()["aliases"]
    assert aliases.get(schemas["ModelName"]["default"], schemas["ModelName"]["default"]) == defaults["model_name"]
    assert schemas["Mode"]["default"] == defaults["mode"]
    assert schemas["Duration"]["default"] == defaults["duration"]


def test_text2video_on_v1_5_is_refused_everywhere() -> None:
    rule = next(r for r in _map()["rules"] if r["name"] == "text to video")
    assert rule["supported"]["MaaS_KL_V1.5"] == []
