"""Shared by the catalog commands: reading input files with plain error messages."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from procedures.catalog import municipality_code_error
from procedures.catalog_io import CatalogInvalid, loads
from procedures.models import Municipality
from procedures.selectors import municipality_by_code


def add_municipality_arguments(parser) -> None:
    """The code and name of a municipality to create (create_municipality, create_trial)."""
    parser.add_argument("code", help="全国地方公共団体コード: 6 digits, the 6th a check digit")
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


def municipality_or_fail(code: str) -> Municipality:
    if problem := municipality_code_error(code):
        raise CommandError(f"municipality code {code!r}: {problem}")
    municipality = municipality_by_code(code)
    if municipality is None:
        raise CommandError(f"no municipality with code {code} (import its catalog first)")
    return municipality


def report_errors(stderr, path: str, errors: list[str], what: str) -> CommandError:
    """Write every error on its own line; the CommandError to raise after."""
    for error in errors:
        stderr.write(f"{path}: {error}")
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    return CommandError(f"{path}: {count}; {what}")
