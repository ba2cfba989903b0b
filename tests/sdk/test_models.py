"""Open enums and open models: what the server adds never breaks parsing, and models round-trip."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from maas_kl_client import TaskStatus
from maas_kl_client.models import ModelName, Task, TaskResponse

from .fakes import Statuses, envelope, sync_client

SPEC = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "maas_kl.yaml").read_text(encoding="utf-8"))


def _response_examples() -> list[Any]:
    found = []
    for response in SPEC["components"]["responses"].values():
        for media in response.get("content", {}).values():
            for name, example in media.get("examples", {}).items():
                if example["value"].get("code") == 0:
                    found.append(pytest.param(example["value"], id=name))
    return found


@pytest.mark.parametrize("example", _response_examples())
def test_spec_examples_round_trip(example: dict[str, Any]) -> None:
    assert TaskResponse.from_dict(copy.deepcopy(example)).to_dict() == example


def test_unknown_status_keeps_its_raw_value_and_round_trips() -> None:
    data = {"task_id": "1", "task_status": "queued", "created_at": 1, "updated_at": 2}
    task = Task.from_dict(data)
    assert task.task_status == "queued"
    assert task.task_status.value == "queued"
    assert isinstance(task.task_status, TaskStatus)
    assert not task.task_status.is_known
    assert TaskStatus.SUCCEED.is_known
    assert task.to_dict() == data


def test_unknown_values_and_extra_fields_everywhere_round_trip() -> None:
    data = {
        "task_id": "1",
        "task_status": "archived",
        "created_at": 1,
        "updated_at": 2,
        "priority": {"level": 3},
        "task_info": {"external_task_id": "e", "region": "sg"},
        "task_result": {"videos": [{"id": "v", "url": "https://x/y.mp4", "duration": "5.1", "codec": "h265"}], "n": 1},
    }
    task = Task.from_dict(copy.deepcopy(data))
    assert task["priority"] == {"level": 3}
    assert task.to_dict() == data


def test_unknown_model_name_parses() -> None:
    assert ModelName("MaaS_KL_V2.0").value == "MaaS_KL_V2.0"
    assert ModelName("MaaS_KL_V1.5") is ModelName.MAAS_KL_V1_5
    with pytest.raises(ValueError, match="is not a valid"):
        ModelName(5)  # type: ignore[arg-type]


def test_client_parses_an_unknown_status_end_to_end() -> None:
    service = Statuses(["warming_up"])
    client = sync_client(service.handler)
    created = client.text2video.create(prompt="A")
    task = client.text2video.get(created.task_id)
    assert str(task.task_status) == "warming_up"
    assert envelope(task.to_dict())["data"]["task_status"] == "warming_up"
