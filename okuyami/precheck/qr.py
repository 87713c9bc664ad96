"""The QR code of a 受付コード: it holds the code as shown (K7M-9PX-3AE) and nothing else, so a
code scanner at the counter types it into the code field, and a phone that reads it learns only
the code."""

import segno

from okuyami.precheck.codes import shown


def qr_data_uri(code: str) -> str:
    """An SVG data: URI (the screens' CSP allows data: images; the PDF fetcher serves data: too)."""
    return segno.make(shown(code), error="m", micro=False).svg_data_uri(border=4, omitsize=True)
