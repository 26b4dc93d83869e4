"""Content negotiation: whether a request accepts a gzip body (RFC 9110 section 12.5.3).

``Accept-Encoding: gzip;q=0`` refuses gzip, and so does ``*;q=0`` without a gzip entry; a substring
test ("gzip" in the header) would send gzip to both."""

from __future__ import annotations


def _q(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0  # a malformed weight: not a preference we can honour
    return 1.0


def accepts_gzip(header: str | None) -> bool:
    """True when ``header`` (an Accept-Encoding value) accepts gzip with a weight above 0."""
    if not header:
        return False
    star = None
    for item in header[:1024].split(","):  # a browser's header is under 100 characters
        coding, *params = item.split(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            return _q(params) > 0
        if coding == "*":
            star = _q(params) > 0
    return bool(star)
