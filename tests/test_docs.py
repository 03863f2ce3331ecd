"""Every command, spider argument and setting users rely on is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click

from newscrawler import settings
from newscrawler.cli import main
from newscrawler.plan import MODES, RECHECK

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix}{name} ")
    return names


def test_every_cli_command_is_in_the_readme():
    for name in _commands(main):
        assert f"newscrawler {name}" in README, f"newscrawler {name} is not in README.md"


def test_every_cli_command_has_help_with_an_example():
    ctx = click.Context(main)
    for name in _commands(main):
        command: click.Command = main
        for part in name.split():
            command = command.commands[part]  # type: ignore[attr-defined]
        if isinstance(command, click.Group):
            continue
        help_text = command.get_help(ctx)
        assert "newscrawler " in help_text, f"`newscrawler {name} --help` has no example"


def test_every_newscrawler_setting_is_in_the_readme():
    names = [n for n in dir(settings) if n.startswith("NEWSCRAWLER_")]
    assert "NEWSCRAWLER_DB" in names
    for name in names:
        assert f"`{name}`" in README, f"setting {name} is not in README.md"


def test_every_spider_argument_is_in_the_readme():
    for mode in MODES:
        assert re.search(rf"-a {mode}=", README), f"-a {mode}= is not in README.md"
    assert "-a recheck=" + "\\|".join(RECHECK) in README
    assert "`-a run=ID`" in README
