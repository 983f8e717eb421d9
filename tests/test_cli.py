"""The command line: every command has help and is in the README."""

from pathlib import Path

import click
from click.testing import CliRunner

from survey.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


def commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_has_help_and_is_documented():
    for path, command in commands(cli):
        assert command.help, path
        assert f"survey {' '.join(path)}" in README, path
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_instruments_list_names_the_bundled_instruments():
    result = CliRunner().invoke(cli, ["instruments", "list"])
    assert result.exit_code == 0
    assert "township-health-centre\t2025.1" in result.output


def test_demo_prints_a_ranked_table():
    result = CliRunner().invoke(cli, ["demo", "--centres", "5"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("乡镇卫生院服务能力评估")
    assert lines[1].split()[0] == "1" and len(lines) == 6
