"""What every command shares: one-line errors, the archive filters, opening the archive."""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from newscrawler.api import Archive, ArchiveError, InvalidQuery
from newscrawler.archive.query import parse_when
from newscrawler.sources import SourcesError

F = Callable[..., Any]


class CliError(click.ClickException):
    """Printed as one ``Error: ...`` line; exit 2 for bad input, 1 for everything else."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class GuardedGroup(click.Group):
    """A group that turns the library's expected failures into one-line errors."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (InvalidQuery, SourcesError) as exc:
            raise CliError(str(exc), exit_code=2) from exc
        except ArchiveError as exc:
            raise CliError(str(exc)) from exc
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise CliError(
                f"the archive could not be read ({detail}): check that --db points to a "
                "newscrawler archive, or run `newscrawler db upgrade`"
            ) from exc
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # click exits quietly when the reader of our output went away
            where = f": {exc.filename}" if exc.filename else ""
            raise CliError(f"{exc.strerror or exc}{where}") from exc


def _check_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        parse_when(value)
    except InvalidQuery as exc:
        raise CliError(f"--{param.name}: {exc}", exit_code=2) from exc
    return value


def filter_options(command: F) -> F:
    """``--source --since --until --lang --limit``, as the library's keyword arguments."""
    decorators = [
        click.option("--source", help="Only this source (see `newscrawler sources list`)."),
        click.option("--since", callback=_check_date,
                     help="Published (or first seen) on or after: YYYY-MM-DD or ISO 8601."),
        click.option("--until", callback=_check_date,
                     help="Published (or first seen) on or before: YYYY-MM-DD or ISO 8601."),
        click.option("--lang", help="ISO 639-1 language code, e.g. fr."),
        click.option("--limit", type=click.IntRange(min=0), help="At most N records."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def open_readonly(ctx: click.Context) -> Archive:
    """The archive named by ``--db``, opened read-only and closed with the command."""
    archive = Archive(ctx.obj["db"], readonly=True)
    ctx.call_on_close(archive.close)
    return archive
