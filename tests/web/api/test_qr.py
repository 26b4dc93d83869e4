"""/api/qr: the QR code of a link of this site, decoded; anything but a path of this site refused."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw


def test_qr_encodes_the_absolute_link(client):
    """/api/qr's own SVG, drawn and decoded: it holds the link at the public URL (tests/conftest.py:
    http://testserver), whichever allowed host the request named."""
    r = client.get("/api/qr", params={"link": "/lessons/seed-question/2?present=1"}, headers={"host": "localhost:8000"})
    (code,) = zxingcpp.read_barcodes(_raster(r.content))
    assert code.text == "http://testserver/lessons/seed-question/2?present=1"


def _raster(svg: bytes, scale: int = 6) -> Image.Image:
    """segno's SVG (one path of horizontal strokes: M x y, h n, m dx dy; the stroke centred half a
    module below y's row) as a black-on-white image, for the decoder."""
    side = int(re.search(rb'width="(\d+)"', svg).group(1)) // 8  # the SVG's modules (scale 8)
    path = re.search(rb' d="([^"]+)"', svg).group(1).decode()
    img = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(img)
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            top = int((y - 0.5) * scale)
            draw.rectangle([int(x * scale), top, int((x + float(a)) * scale) - 1, top + scale - 1], fill=0)
            x += float(a)
    return img


@pytest.mark.parametrize("link", ["http://evil.example/", "//evil.example/x", "", "/" + "a" * 2001, "/a\r\nb"])
def test_qr_refuses_what_is_not_a_path_of_this_site(client, link):
    r = client.get("/api/qr", params={"link": link})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "link"
    ok = client.get("/api/qr", params={"link": "/lessons/seed-question/1"})
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/svg+xml"
