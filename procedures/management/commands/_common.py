"""Shared by the management commands of both apps (the counter's import them from here, a layer
down): the municipality code argument, and reading input files with plain error messages."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from procedures.catalog import municipality_code_error
from procedures.catalog_io import CatalogInvalid, loads
from procedures.models import Municipality
from procedures.selectors import municipality_by_code

CODE_HELP = "the municipality's code (全国地方公共団体コード: 6 digits, the 6th a check digit)"


def add_code_argument(parser, *, every: bool = False) -> None:
    """The municipality's code, the first argument of every command about one municipality (read
    it with municipality_or_fail); with `every` it may be left out, for every municipality."""
    if every:
        parser.add_argument("code", nargs="?", help=f"{CODE_HELP}; every municipality without it")
    else:
        parser.add_argument("code", help=CODE_HELP)


def add_municipality_arguments(parser) -> None:
    """The code and name of a municipality to create (create_municipality, create_trial)."""
    add_code_argument(parser)
    parser.add_argument("name", help="the municipality's name, e.g. 札幌市")


def read_json(path: str) -> Any:
    """The parsed JSON of a file; CommandError naming the file otherwise."""
    raw = read_bytes(path, "a JSON file")
    try:
        return loads(raw)
    except CatalogInvalid as exc:
        raise CommandError(f"{path}: {exc.errors[0]}") from None


def read_bytes(path: str, what: str = "a catalog file") -> bytes:
    """The bytes of a file; CommandError naming the file and what is wrong otherwise."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not {what}") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None


def code_or_fail(code: str) -> str:
    """A well-formed municipality code (check digit included); CommandError saying why not."""
    if problem := municipality_code_error(code):
        raise CommandError(f"municipality code {code!r}: {problem}")
    return code


def municipality_or_fail(code: str) -> Municipality:
    """The municipality of a code given on the command line; CommandError saying why not."""
    municipality = municipality_by_code(code_or_fail(code))
    if municipality is None:
        raise CommandError(f"no municipality with code {code} (import its catalog first)")
    return municipality


def report_errors(stderr, path: str, errors: list[str], what: str) -> CommandError:
    """Write every error on its own line; the CommandError to raise after."""
    for error in errors:
        stderr.write(f"{path}: {error}")
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    return CommandError(f"{path}: {count}; {what}")
