"""The command line: flags and --config files become a MockConfig; bad ones are one-line errors, never tracebacks."""

from pathlib import Path

import pytest
from maas_kl_mock import MockConfig
from maas_kl_mock._cli import _apply_config_file, build_parser, config_from_args, main


def config_of(argv: list[str]) -> MockConfig:
    parser = build_parser()
    return config_from_args(_apply_config_file(parser, argv))


def test_fault_flags_build_the_plan() -> None:
    faults = ["--fault-rate", "0.2", "--fault-seed", "7", "--fault-kinds", "429=3,reset", "--latency", "exp:20"]
    config = config_of(["serve", *faults, "--rate-limit", "10/1", "--retry-after", "2"])
    plan = config.faults
    assert (plan.rate, plan.seed, plan.kinds, str(plan.latency)) == (0.2, 7, {"429": 3.0, "reset": 1.0}, "exp:20")
    assert (plan.rate_limit, plan.retry_after) == ((10, 1.0), 2)


def test_config_file_fills_what_the_flags_left_alone(tmp_path: Path) -> None:
    settings = tmp_path / "mock.yaml"
    settings.write_text("fault-rate: 0.5\nconcurrency: 3\ncheck-responses: true\ntoken: [a, b]\n")
    config = config_of(["serve", "--config", str(settings), "--concurrency", "4"])
    assert (config.faults.rate, config.concurrency_limit, config.check_responses) == (0.5, 4, True)
    assert config.tokens == frozenset({"a", "b"})


def test_video_flags_and_config_keys() -> None:
    config = config_of(["serve", "--video-size-kb", "20480", "--download-cut", "0.7,0.3", "--download-cut-rate", "0.5"])
    assert (config.video_size_kb, config.faults.download_cut, config.faults.download_cut_rate) == (
        20480,
        (0.3, 0.7),
        0.5,
    )
    assert config_of(["serve"]).video_size_kb is None


def test_video_settings_from_a_config_file(tmp_path: Path) -> None:
    settings = tmp_path / "mock.yaml"
    settings.write_text("video-size-kb: 1024\ndownload-cut: '0.5'\nvideo-cache-mb: 8\n")
    config = config_of(["serve", "--config", str(settings)])
    assert (config.video_size_kb, config.faults.download_cut, config.video_cache_mb) == (1024, (0.5,), 8)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("fault-rate: abc", "setting 'fault-rate' = 'abc' is not valid"),
        ("concurrency: [1]", "expected a single number or text"),
        ("no-control-api: 3", "expected true or false"),
        ("just a string", "expected a mapping of settings"),
        ("colour: red", "unknown setting 'colour'"),
        ("latency: 5", "latency '5' not understood"),
        ("fault-rate: 2", "between 0 and 1"),
        ("download-cut: '1.5'", "between 0 and 1, e.g. 0.3,0.7"),
        ("download-cut: 'half'", "download cut 'half' not understood"),
        ("video-size-kb: -1", "--video-size-kb -1 must be 0 or more"),
        ("video-cache-mb: 0", "--video-cache-mb 0 must be at least 1"),
    ],
)
def test_bad_config_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, needle: str
) -> None:
    settings = tmp_path / "mock.yaml"
    settings.write_text(text + "\n")
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--config", str(settings)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_unusable_state_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "not-a-db.sqlite"
    state.write_bytes(b"this is not a SQLite database, and the mock must say so " * 4)
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--state", str(state)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"cannot start: {state}" in err
    assert "file is not a database" in err
