"""One naming for flags (the spec's field names), `status --kind` by command name, usage per command, exit codes."""

from __future__ import annotations

import sys

import pytest
from maas_kl_client import __version__
from maas_kl_client._spec_data import OPERATIONS, REQUEST_FIELDS
from maas_kl_client.cli import main
from maas_kl_mock.pytest_plugin import MockFixture

from tests.cli.conftest import Runner, sent_bodies
from tests.docs.test_readme_cli import every_command, options


def test_every_family_command_takes_every_scalar_field_by_its_spec_name() -> None:
    commands = every_command()
    for family in OPERATIONS:
        names = {family.replace("_", "-")}
        for name in names:
            flags = options(commands[name])
            for field in REQUEST_FIELDS[family]:
                assert f"--{field['name'].replace('_', '-')}" in flags, (name, field["name"])


def test_the_short_forms_are_aliases(cli: Runner, maas_kl_mock: MockFixture) -> None:
    assert cli("text2video", "a", "--model", "MaaS_KL_V1", "--camera", "simple:zoom=5").code == 0
    assert cli("text2video", "b", "--model-name", "MaaS_KL_V1", "--camera-control", "simple:zoom=5").code == 0
    first, second = sent_bodies(maas_kl_mock, "create_text2video_task")
    first.pop("external_task_id"), second.pop("external_task_id")
    assert first == {**second, "prompt": "a"}


def test_spec_fields_are_listed_under_the_request_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["text2video", "--help"])
    text = capsys.readouterr().out
    group = text[text.index("request fields (from the spec)") :]
    for flag in ("--model-name", "--duration", "--camera-control", "--negative-prompt", "--body"):
        assert flag in group


@pytest.mark.parametrize("kind", ["video-extend", "extend", "video_extend"])
def test_status_kind_takes_the_commands_names(cli: Runner, kind: str) -> None:
    result = cli("status", "123", "--kind", kind)
    assert result.code == 1
    assert "NotFoundError" in result.err
    assert "invalid choice" not in result.err


def test_argument_errors_print_the_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["video-extend", "--bogus", "1"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: maas-kl extend")
    assert "unrecognized arguments: --bogus" in err


def test_status_of_a_failed_task_exits_1(cli: Runner) -> None:
    created = cli("text2video", "A dog", "--json", headers={"Prefer": "scenario=fail"})
    task_id = created.json()["task"]["task_id"]
    cli("status", task_id, "--wait")
    result = cli("status", task_id)
    assert "failed" in result.out
    assert result.code == 1


def test_version_needs_no_cli_extra(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in [name for name in sys.modules if name == "rich" or name.startswith("rich.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if the [cli] extra were not installed
    monkeypatch.setitem(sys.modules, "rich", None)
    monkeypatch.delitem(sys.modules, "maas_kl_client.cli._main", raising=False)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"maas-kl {__version__}\n"
    assert main(["status", "1"]) == 2
    assert "needs the 'cli' extra" in capsys.readouterr().err
