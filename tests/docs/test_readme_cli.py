"""The README's CLI section is tested against `--help`: every flag it names exists where it says."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from maas_kl_client.cli._main import build_parser, command_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README[
    README.index("### The `maas-kl` command line") : README.index("\n## ", README.index("### The `maas-kl"))
]
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def options(parser: argparse.ArgumentParser) -> set[str]:
    """The flags `maas-kl COMMAND --help` prints (every option string, aliases included)."""
    printed = set(FLAG.findall(parser.format_help()))
    return printed & {option for action in parser._actions for option in action.option_strings}


def every_command() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_flag_in_the_example_exists_on_its_command() -> None:
    parser = build_parser()
    [block] = re.findall(r"```sh\n(.*?)```", SECTION, flags=re.DOTALL)
    lines = [line.split("  #")[0] for line in block.splitlines() if line.startswith("maas-kl ")]
    assert len(lines) >= 7
    for line in lines:
        command = line.split()[1]
        known = options(command_parser(parser, command)) | options(parser)
        for flag in FLAG.findall(line):
            assert flag in known, f"`{line}` names {flag}, which `maas-kl {command} --help` lacks"


def test_every_flag_the_prose_names_exists_somewhere() -> None:
    known = set().union(*(options(p) for p in every_command().values())) | options(build_parser())
    named = set(FLAG.findall(SECTION))
    assert "--model-name" in named
    assert "--skip-invalid" in named
    assert named <= known, f"the README names flags no command has: {sorted(named - known)}"


def test_the_commands_the_prose_pairs_with_a_flag_have_it() -> None:
    for command, flag in re.findall(r"`(?:maas-kl )?([a-z0-9-]+) (--[a-z][a-z0-9-]*)", SECTION):
        commands = every_command()
        if command in commands:
            assert flag in options(commands[command]), f"`{command} {flag}` in the README"
    assert "--video-id" in options(every_command()["video-extend"])


def test_the_readme_image_example_is_the_one_make_demo_writes() -> None:
    assert "--image out/frame.png" in SECTION
    assert "`out/frame.png`" in README[: README.index("## The spec")]
