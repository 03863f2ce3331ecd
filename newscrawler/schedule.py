"""Scheduled crawls: cron expressions validated, rendered as crontab lines or systemd units.

Pure: the sources file gives ``schedule = "0 */6 * * *"`` per source; ``newscrawler
schedule`` prints what to install. Only the 5-field syntax is accepted (numbers, ``*``,
ranges ``a-b``, steps ``*/n`` and ``a-b/n``, lists ``a,b``), no names and no ``@daily``.

With workers (``newscrawler schedule --workers N``), each scheduled crawl is N workers of one
distributed run whose id is the source's name (``-a run=NAME -a worker=K``): installed on
several machines, the same lines start N workers on each, all sharing the run's frontier.
A run id can stay the same from one crawl to the next: the last worker of a finished run
removes its keys, so the next firing starts a new run, and a worker still busy when the next
firing comes is that same worker (its lock refuses the second one, exit 75).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

__all__ = ["CronExpr", "UntranslatableError", "crontab_line", "on_calendar", "parse_cron",
           "systemd_units"]

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
          ("day of week", 0, 7))
CRON_HELP = "5 fields: minute hour day-of-month month day-of-week, e.g. '0 */6 * * *'"
WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


class UntranslatableError(ValueError):
    """The cron expression has no exact systemd ``OnCalendar`` equivalent."""


@dataclass(frozen=True)
class CronExpr:
    """A validated cron expression: the text, and each field's values (``None`` for ``*``)."""

    text: str
    fields: tuple[tuple[int, ...] | None, ...]


def _range(part: str, name: str, low: int, high: int) -> list[int]:
    base, _, step_text = part.partition("/")
    step = 1
    if step_text:
        if not step_text.isdigit() or int(step_text) == 0:
            raise ValueError(f"{name}: step must be a positive number in {part!r}")
        step = int(step_text)
    if base == "*":
        start, end = low, high
    else:
        first, dash, last = base.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{name}: {part!r} is not a number, range, step or *")
        start = int(first)
        end = int(last) if dash else (high if step_text else start)
    for value in (start, end):
        if not low <= value <= high:
            raise ValueError(f"{name}: {value} out of range {low}-{high}")
    if start > end:
        raise ValueError(f"{name}: range {base!r} runs backwards")
    return list(range(start, end + 1, step))


def _field(text: str, name: str, low: int, high: int) -> tuple[int, ...] | None:
    if text == "*":
        return None
    values: set[int] = set()
    for part in text.split(","):
        values.update(_range(part, name, low, high))
    if name == "day of week" and 7 in values:  # 7 is Sunday too
        values = (values - {7}) | {0}
    return tuple(sorted(values))


def parse_cron(expr: str) -> CronExpr:
    """Validate a 5-field cron expression; ``ValueError`` says which field is wrong."""
    parts = expr.split() if isinstance(expr, str) else []
    if len(parts) != len(FIELDS):
        raise ValueError(f"not a cron expression ({CRON_HELP}): {expr!r}")
    fields = tuple(_field(p, *spec) for p, spec in zip(parts, FIELDS, strict=True))
    return CronExpr(" ".join(parts), fields)


def crawl_arguments(source: str, worker: str | None = None) -> str:
    """``-a source=NAME``, and for a worker ``-a run=NAME -a worker=K``."""
    name = shlex.quote(source)
    if worker is None:
        return f"-a source={name}"
    return f"-a source={name} -a run={name} -a worker={worker}"


def crawl_command(source: str, worker: str | None = None) -> str:
    """The shell command a scheduled crawl (or one of its workers) runs, from the project
    directory."""
    log = source if worker is None else f"{source}-{worker}"
    return f".venv/bin/scrapy crawl news {crawl_arguments(source, worker)} >> logs/{log}.log 2>&1"


def crontab_line(source: str, expr: str, project_dir: str, worker: str | None = None) -> str:
    """``MIN HOUR DOM MON DOW cd DIR && mkdir -p logs && .venv/bin/scrapy crawl ...``."""
    cron = parse_cron(expr)
    command = (f"cd {shlex.quote(project_dir)} && mkdir -p logs && "
               f"{crawl_command(source, worker)}")
    return f"{cron.text} {command.replace('%', chr(92) + '%')}"  # cron reads % as newline


def _values(values: tuple[int, ...], low: int, high: int) -> str:
    """Compact systemd spelling: ``0/15`` for a step from the start, ``a..b`` for runs."""
    if len(values) > 2:
        step = values[1] - values[0]
        regular = all(b - a == step for a, b in zip(values, values[1:], strict=False))
        if regular and step > 1 and values[-1] + step > high:
            return f"{values[0]}/{step}"
    runs: list[str] = []
    start = prev = values[0]
    for value in [*values[1:], None]:
        if value is not None and value == prev + 1:
            prev = value
            continue
        runs.append(f"{start:02d}..{prev:02d}" if prev > start + 1 else
                    ",".join(f"{v:02d}" for v in range(start, prev + 1)))
        if value is not None:
            start = prev = value
    return ",".join(runs)


def on_calendar(expr: str) -> str:
    """The systemd ``OnCalendar=`` value for a cron expression, or ``UntranslatableError``."""
    minute, hour, dom, month, dow = parse_cron(expr).fields
    if dom is not None and dow is not None:
        raise UntranslatableError(
            f"{expr!r} restricts both day-of-month and day-of-week: cron runs when EITHER "
            "matches, systemd only when both do; write two timers or use crontab"
        )

    def spell(values: tuple[int, ...] | None, low: int, high: int) -> str:
        return "*" if values is None else _values(values, low, high)

    weekdays = "" if dow is None else ",".join(WEEKDAYS[d] for d in dow) + " "
    date = f"*-{spell(month, 1, 12)}-{spell(dom, 1, 31)}"
    return f"{weekdays}{date} {spell(hour, 0, 23)}:{spell(minute, 0, 59)}:00"


def systemd_units(source: str, expr: str, project_dir: str, *, workers: bool = False
                  ) -> dict[str, str]:
    """``{"newscrawler-NAME.service": ..., "newscrawler-NAME.timer": ...}``; with
    ``workers``, templates ``newscrawler-NAME@.service`` and ``.timer`` whose instance
    (``newscrawler-NAME@2.timer``) is the worker number."""
    calendar = on_calendar(expr)
    unit = f"newscrawler-{source}" + ("@" if workers else "")
    worker = "%i" if workers else None
    root = project_dir.rstrip("/")
    log = f"{root}/logs/{source}" + ("-%i" if workers else "") + ".log"
    # Secrets (NEWSCRAWLER_DB and NEWSCRAWLER_REDIS_URL with passwords) stay in a file.
    environment = f"EnvironmentFile=-{_exec_quote(root + '/newscrawler.env')}\n" if workers \
        else ""
    service = (
        f"[Unit]\nDescription=newscrawler: crawl source {source}"
        + (" (worker %i)" if workers else "") + "\n\n"
        f"[Service]\nType=oneshot\nWorkingDirectory={project_dir}\n{environment}"
        f"ExecStartPre=/bin/mkdir -p {_exec_quote(root + '/logs')}\n"
        f"ExecStart={_exec_quote(root + '/.venv/bin/scrapy')} crawl news "
        f"{crawl_arguments(source, worker)}\n"
        f"StandardOutput=append:{log}\nStandardError=append:{log}\n"
    )
    timer = (
        f"[Unit]\nDescription=newscrawler: scheduled crawl of {source} (cron: {expr})\n\n"
        f"[Timer]\nOnCalendar={calendar}\nPersistent=true\n"
        f"Unit={unit}{'%i' if workers else ''}.service\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return {f"{unit}.service": service, f"{unit}.timer": timer}


def _exec_quote(path: str) -> str:
    """systemd splits ``Exec*=`` lines on spaces: quote a path that has any."""
    if not any(ch.isspace() or ch in "\"'\\" for ch in path):
        return path
    escaped = path.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
