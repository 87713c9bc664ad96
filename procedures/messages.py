"""A problem told in two languages from a table of message templates, by its code. Pure Python.

English for the command line and the API, Japanese for the screens: one table per kind of
problem ({code: (English, Japanese)}), its `{…}` filled from the problem's params.
"""

from collections.abc import Mapping
from typing import Any, ClassVar


class CodedMessage:
    """Mixed into a problem that has a `code` (a key of `TEXTS`) and `params` (what fills it)."""

    TEXTS: ClassVar[Mapping[str, tuple[str, str]]]
    code: str
    params: Mapping[str, Any]

    @property
    def message(self) -> str:
        """English, for the command line and the API."""
        return self._text(0)

    @property
    def message_ja(self) -> str:
        """Japanese, for the screens."""
        return self._text(1)

    def _text(self, language: int) -> str:
        return self.TEXTS[self.code][language].format(**self.params)
