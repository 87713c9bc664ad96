"""How much a request may hold: the limits README's "Security limits" states, in one place.

Pure Python (no Django): the settings, the API's JSON parser and the catalog reader share them.
The catalog's own limits live with the code that reads it: the condition depth in
`procedures.rules.MAX_DEPTH`, the workbook's size in `procedures.catalog_xlsx`.
"""

from typing import Any

# A catalog file (.json or .xlsx) uploaded in the admin or read by a command.
MAX_FILE_BYTES = 5 * 1024 * 1024
# Any request body: a catalog file with its form around it, or an API document.
MAX_BODY_BYTES = 6 * 1024 * 1024
# The bodies of the few views that take a catalog bundle (.zip, 50 MB) or a form's PDF (10 MB),
# with the form around them: the views say so (`max_request_bytes`); their own checks then name
# the file's limit.
MAX_UPLOAD_BODY_BYTES = 51 * 1024 * 1024
# The public evaluate endpoint takes one case document (a few hundred bytes), from anyone.
MAX_PUBLIC_BODY_BYTES = 64 * 1024
# Objects and lists inside one another: a catalog needs six levels, a case three. Python's
# JSON parser recurses once per level and fails (RecursionError) near a thousand.
MAX_JSON_DEPTH = 32
JSON_TOO_DEEP = f"JSON nested too deeply: at most {MAX_JSON_DEPTH} levels of objects and lists"


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def too_large_message(limit: int) -> str:
    """The API's message for a body past `limit` (English, as the API speaks)."""
    return f"the request body is larger than {megabytes(limit)}; nothing was changed"


def json_too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests objects and lists more than `limit` levels (without recursing)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
