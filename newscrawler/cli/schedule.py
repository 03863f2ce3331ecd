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
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="N workers per crawl, sharing one frontier in Redis (-a run=NAME "
                   "-a worker=K); install the same on every machine.")
def schedule(path: str, fmt: str, project_dir: str, workers: int | None) -> None:
    """Print what to install so every source with a `schedule` is crawled on time.

    Logs go to DIR/logs/NAME.log (with --workers: NAME-K.log). A cron expression that
    systemd cannot express exactly (day-of-month AND day-of-week both set) is reported on
    stderr and its timer skipped. With --workers, each crawl is a distributed run named
    after its source: set NEWSCRAWLER_DB (PostgreSQL) and NEWSCRAWLER_REDIS_URL for cron
    (NAME=value lines at the top of the crontab) or in DIR/newscrawler.env for systemd.

    \b
    Examples:
      newscrawler schedule --project-dir /srv/newscrawler | crontab -
      newscrawler schedule --format systemd > units.txt
      newscrawler schedule --workers 2 --project-dir /srv/newscrawler | crontab -
    """
    directory = str(Path(project_dir).expanduser().resolve())
    scheduled = {name: s.schedule for name, s in load_sources(path).items() if s.schedule}
    if not scheduled:
        click.echo(f"no source in {path} has a schedule (add schedule = \"0 */6 * * *\")",
                   err=True)
        return
    numbers = [str(n) for n in range(1, workers + 1)] if workers else [None]
    if fmt == "crontab":
        click.echo(f"# newscrawler: scheduled crawls from {path} (install with `crontab -`)")
        if workers:
            click.echo(f"# {workers} workers per crawl on this machine; needs "
                       "NEWSCRAWLER_DB=... and NEWSCRAWLER_REDIS_URL=... lines above these")
        for name, expr in scheduled.items():
            for number in numbers:
                click.echo(crontab_line(name, expr, directory, number))
        return
    _systemd(scheduled, directory, workers)


def _systemd(scheduled: dict[str, str], directory: str, workers: int | None) -> None:
    for name, expr in scheduled.items():
        try:
            units = systemd_units(name, expr, directory, workers=bool(workers))
        except UntranslatableError as exc:
            click.echo(f"Warning: source {name}: no systemd timer: {exc}", err=True)
            continue
        for unit, body in units.items():
            click.echo(f"# ---- {unit} (~/.config/systemd/user/ or /etc/systemd/system/) ----")
            click.echo(body)
        if workers:
            timers = " ".join(f"newscrawler-{name}@{n}.timer" for n in range(1, workers + 1))
            click.echo(f"# enable: systemctl enable --now {timers}\n")
