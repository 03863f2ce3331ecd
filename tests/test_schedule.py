"""Scheduled crawls: cron validation, crontab lines, systemd units and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawler.cli import main
from newscrawler.schedule import (
    UntranslatableError,
    crontab_line,
    on_calendar,
    parse_cron,
    systemd_units,
)
from newscrawler.sources import SourcesError, load_sources


def test_parse_cron_fields():
    assert parse_cron("*/15 * * * *").fields[0] == (0, 15, 30, 45)
    assert parse_cron("0 9-17/4 * * 1-5").fields[1:] == ((9, 13, 17), None, None,
                                                        (1, 2, 3, 4, 5))
    assert parse_cron("0 0 1,15 * 7").fields[2:] == ((1, 15), None, (0,))
    assert parse_cron("  5   4 * * *  ").text == "5 4 * * *"


@pytest.mark.parametrize(("expr", "fragment"), [
    ("* * * *", "5 fields"),
    ("@daily", "5 fields"),
    ("60 * * * *", "minute: 60 out of range 0-59"),
    ("* 24 * * *", "hour: 24 out of range"),
    ("* * 0 * *", "day of month: 0 out of range 1-31"),
    ("* * * 13 *", "month: 13 out of range"),
    ("* * * * 8", "day of week: 8 out of range"),
    ("*/0 * * * *", "step must be a positive number"),
    ("5-1 * * * *", "runs backwards"),
    ("a * * * *", "not a number"),
    ("* * * jan *", "not a number"),
    ("1,,2 * * * *", "not a number"),
])
def test_bad_cron(expr, fragment):
    with pytest.raises(ValueError) as caught:
        parse_cron(expr)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(("expr", "calendar"), [
    ("0 */6 * * *", "*-*-* 0/6:00:00"),
    ("*/15 * * * *", "*-*-* *:0/15:00"),
    ("30 7,19 * * *", "*-*-* 07,19:30:00"),
    ("0 9-17 * * 1-5", "Mon,Tue,Wed,Thu,Fri *-*-* 09..17:00:00"),
    ("0 3 1 */3 *", "*-1/3-01 03:00:00"),
    ("5-20/5 0 * * 0", "Sun *-*-* 00:05,10,15,20:00"),
])
def test_on_calendar(expr, calendar):
    assert on_calendar(expr) == calendar


def test_day_of_month_and_week_cannot_be_translated():
    with pytest.raises(UntranslatableError, match="EITHER"):
        on_calendar("0 0 1 * 1")


def test_crontab_line_and_units():
    line = crontab_line("lemonde", "0 */2 * * *", "/srv/news crawler")
    assert line == ("0 */2 * * * cd '/srv/news crawler' && mkdir -p logs && "
                    ".venv/bin/scrapy crawl news -a source=lemonde >> logs/lemonde.log 2>&1")
    assert "\\%" in crontab_line("x", "0 0 * * *", "/srv/100%")
    units = systemd_units("lemonde", "0 */2 * * *", "/srv/news")
    assert set(units) == {"newscrawler-lemonde.service", "newscrawler-lemonde.timer"}
    assert "OnCalendar=*-*-* 0/2:00:00\n" in units["newscrawler-lemonde.timer"]
    service = units["newscrawler-lemonde.service"]
    assert "ExecStart=/srv/news/.venv/bin/scrapy crawl news -a source=lemonde\n" in service
    assert "StandardOutput=append:/srv/news/logs/lemonde.log" in service


def test_sources_file_schedule_is_validated(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[sources.x]\nstart_urls = ["https://x.example/"]\nschedule = "0 25 * * *"\n',
                    encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    assert caught.value.problems == [
        f"{path}: [sources.x] schedule: hour: 25 out of range 0-23"]


def _sources(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("""
[sources.daily]
start_urls = ["https://daily.example/"]
schedule = "15 6 * * *"
[sources.odd]
start_urls = ["https://odd.example/"]
schedule = "0 0 13 * 5"
[sources.manual]
start_urls = ["https://manual.example/"]
""", encoding="utf-8")
    return path


def test_schedule_command_crontab(tmp_path):
    result = CliRunner().invoke(main, ["schedule", "--file", str(_sources(tmp_path)),
                                       "--project-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert lines == [
        f"15 6 * * * cd {tmp_path} && mkdir -p logs && .venv/bin/scrapy crawl news "
        "-a source=daily >> logs/daily.log 2>&1",
        f"0 0 13 * 5 cd {tmp_path} && mkdir -p logs && .venv/bin/scrapy crawl news "
        "-a source=odd >> logs/odd.log 2>&1",
    ]


def test_schedule_command_systemd(tmp_path):
    result = CliRunner().invoke(main, ["schedule", "--format", "systemd", "--file",
                                       str(_sources(tmp_path)), "--project-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "newscrawler-daily.timer" in result.stdout and "OnCalendar=*-*-* 06:15:00" in \
        result.stdout
    assert "newscrawler-odd" not in result.stdout
    assert "source odd: no systemd timer" in result.stderr


def test_schedule_command_workers(tmp_path):
    sources = str(_sources(tmp_path))
    result = CliRunner().invoke(main, ["schedule", "--file", sources, "--workers", "2",
                                       "--project-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert lines[:2] == [
        f"15 6 * * * cd {tmp_path} && mkdir -p logs && .venv/bin/scrapy crawl news "
        f"-a source=daily -a run=daily -a worker={n} >> logs/daily-{n}.log 2>&1" for n in (1, 2)]
    assert len(lines) == 4 and "NEWSCRAWLER_REDIS_URL" in result.stdout
    units = CliRunner().invoke(main, ["schedule", "--file", sources, "--workers", "3",
                                      "--format", "systemd", "--project-dir", str(tmp_path)])
    assert units.exit_code == 0, units.output
    assert "newscrawler-daily@.service" in units.stdout
    assert (f"ExecStart={tmp_path}/.venv/bin/scrapy crawl news -a source=daily -a run=daily "
            "-a worker=%i\n") in units.stdout
    assert "Unit=newscrawler-daily@%i.service" in units.stdout
    assert (f"EnvironmentFile=-{tmp_path}/newscrawler.env") in units.stdout
    assert ("systemctl enable --now newscrawler-daily@1.timer newscrawler-daily@2.timer "
            "newscrawler-daily@3.timer") in units.stdout
    bad = CliRunner().invoke(main, ["schedule", "--file", sources, "--workers", "0"])
    assert bad.exit_code == 2


def test_committed_sources_all_translate():
    committed = Path(__file__).resolve().parents[1] / "data" / "sources.toml"
    for source in load_sources(committed).values():
        if source.schedule:
            on_calendar(source.schedule)
