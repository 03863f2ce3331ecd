"""``newscrawler schedule``: crontab lines or systemd units for the scheduled sources."""

from __future__ import annotations

from pathlib import Path

import click

from newscrawler.cli.sources import file_option
from newscrawler.schedule import UntranslatableError, crontab_line, systemd_units
from newscrawler.sources import load_sources


@click.command()
@file_option
@click.option("--format", "fmt", type=click.Choice(["crontab", "systemd"]), default="crontab",
              show_default=True, help="crontab lines, or systemd .service/.timer units.")
@click.option("--project-dir", "project_dir", metavar="DIR", default=".",
              show_default="the current directory",
              help="The project root (where .venv/ and data/ are); made absolute.")
def schedule(path: str, fmt: str, project_dir: str) -> None:
    """Print what to install so every source with a `schedule` is crawled on time.

    Logs go to DIR/logs/NAME.log. A cron expression that systemd cannot express exactly
    (day-of-month AND day-of-week both set) is reported on stderr and its timer skipped.

    \b
    Examples:
      newscrawler schedule --project-dir /srv/newscrawler | crontab -
      newscrawler schedule --format systemd > units.txt
    """
    directory = str(Path(project_dir).expanduser().resolve())
    scheduled = {name: s.schedule for name, s in load_sources(path).items() if s.schedule}
    if not scheduled:
        click.echo(f"no source in {path} has a schedule (add schedule = \"0 */6 * * *\")",
                   err=True)
        return
    if fmt == "crontab":
        click.echo(f"# newscrawler: scheduled crawls from {path} (install with `crontab -`)")
        for name, expr in scheduled.items():
            click.echo(crontab_line(name, expr, directory))
        return
    for name, expr in scheduled.items():
        try:
            units = systemd_units(name, expr, directory)
        except UntranslatableError as exc:
            click.echo(f"Warning: source {name}: no systemd timer: {exc}", err=True)
            continue
        for unit, body in units.items():
            click.echo(f"# ---- {unit} (~/.config/systemd/user/ or /etc/systemd/system/) ----")
            click.echo(body)
