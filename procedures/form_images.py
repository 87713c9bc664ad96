"""A form's pages as PNG images, for placing fields on them in the admin.

Rendered by poppler's pdftoppm (poppler-utils, a Debian package the Makefile installs) in a
child process: the PDF goes in on stdin and the PNG comes out on stdout, so nothing is
written to disk. Poppler only draws: it runs no script and fetches nothing a PDF names.
Pure Python, no Django: the caller caches (a page of a given PDF never changes: its bytes
are named by their hash).
"""

from __future__ import annotations

import subprocess

PDFTOPPM = "pdftoppm"
DPI = 96  # an A4 page is 794 × 1123 pixels: a screen's width at 100 %
TIMEOUT_SECONDS = 30


class PageImageError(Exception):
    """The page could not be drawn (poppler missing, or it failed or took too long)."""


def page_png(pdf: bytes, page: int, *, dpi: int = DPI) -> bytes:
    """Page `page` (from 1) of a PDF as a PNG."""
    command = [PDFTOPPM, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise PageImageError(f"{PDFTOPPM} is not installed (Debian: poppler-utils)") from None
    except subprocess.TimeoutExpired:
        raise PageImageError(f"page {page} took more than {TIMEOUT_SECONDS} s to draw") from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise PageImageError(f"page {page} could not be drawn (pdftoppm exit {done.returncode})")
    return done.stdout
