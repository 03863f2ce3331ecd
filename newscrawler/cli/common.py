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
        except InvalidQuery as exc:
            raise CliError(str(exc), exit_code=2) from exc
        except SourcesError as exc:
            raise sources_error(exc) from exc
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


def sources_error(exc: SourcesError) -> CliError:
    """Every problem of the sources file as its own ``Error:`` line; the last one raised."""
    for problem in exc.problems[:-1]:
        click.echo(f"Error: {problem}", err=True)
    return CliError(exc.problems[-1], exit_code=2)


def _check_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        parse_when(value)
    except InvalidQuery as exc:
        raise CliError(f"--{param.name}: {exc}", exit_code=2) from exc
    return value


def _apply(command: F, decorators: list[Callable[[F], F]]) -> F:
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def selection_options(command: F) -> F:
    """``--source --tag --since --until --lang``, as the library's keyword arguments."""
    return _apply(command, [
        click.option("--source", help="Only this source (see `newscrawler sources list`)."),
        click.option("--tag", metavar="TAG",
                     help="Only the sources with this tag in the sources file "
                          "(NEWSCRAWLER_SOURCES), e.g. fr-national or collection=fr-national."),
        click.option("--since", callback=_check_date,
                     help="Published (or first seen) on or after: YYYY-MM-DD or ISO 8601."),
        click.option("--until", callback=_check_date,
                     help="Published (or first seen) on or before: YYYY-MM-DD or ISO 8601."),
        click.option("--lang", help="ISO 639-1 language code, e.g. fr."),
    ])


def filter_options(command: F) -> F:
    """``selection_options`` and ``--limit``."""
    return _apply(selection_options(command), [
        click.option("--limit", type=click.IntRange(min=0), help="At most N records."),
    ])


def query_option(command: F) -> F:
    """``--query Q``: only the articles matching a search (the ``search`` language)."""
    return click.option(
        "--query", "-q", metavar="Q",
        help='Only articles matching this search, e.g. "cessez-le-feu OR ceasefire".',
    )(command)


def format_option(*choices: str, default: str) -> Callable[[F], F]:
    """``--format`` with these choices."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                        show_default=True, help="Output format.")


def open_readonly(ctx: click.Context) -> Archive:
    """The archive named by ``--db``, opened read-only and closed with the command."""
    archive = Archive(ctx.obj["db"], readonly=True)
    ctx.call_on_close(archive.close)
    return archive
