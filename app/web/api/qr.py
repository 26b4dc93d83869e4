"""/api/qr?link=<path>: the QR code (SVG) of a link of this site, for "Share with the room".

The code holds the configured public URL (DROPOUT_LAB_PUBLIC_URL) and the path, never the request's
Host: the SVG is cached publicly, and a Host header chosen by a client must not choose where a
room of students goes (app/web/hosts.py refuses unknown hosts as well)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from fastapi import APIRouter, Request, Response

from app.core.problems import Problem, StateError, shown
from app.web.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api", tags=["classroom"])
MAX_LINK = 2000  # a QR code (error correction M) holds about 2,300 characters


@lru_cache(maxsize=256)
def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, title=url
    )
    return out.getvalue()


@router.get(
    "/qr",
    summary="The QR code of a link of this site (SVG), for the classroom's share panel",
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "An SVG QR code."},
        **ERROR_RESPONSES,
    },
    openapi_extra={
        "parameters": [
            {
                "name": "link",
                "in": "query",
                "required": True,
                "description": f"A path of this site, e.g. /lessons/seed-question/1 (at most {MAX_LINK} characters).",
                "schema": {"type": "string", "pattern": "^/[^/\\\\]", "maxLength": MAX_LINK},
            }
        ]
    },
)
def qr(request: Request) -> Response:
    """``link`` is a path of this site ("/lessons/seed-question/2?present=1"); the code holds its
    absolute URL at the public address (the settings' public_url)."""
    pairs = request.query_params.multi_items()
    links = [v for k, v in pairs if k == "link"]
    if [k for k, _ in pairs] != ["link"]:
        problem = Problem(
            "link", "", "one link parameter and nothing else", "give one link=/path and no other parameter."
        )
        raise StateError([problem])
    link = links[0]
    if not link.startswith("/") or link.startswith("//") or len(link) > MAX_LINK or any(c in link for c in "\r\n\\"):
        raise StateError(
            [
                Problem(
                    "link",
                    shown(link),
                    f"a path of this site starting with one /, at most {MAX_LINK} characters",
                    f"link must be a path of this site such as /lessons/seed-question/1, at most {MAX_LINK} "
                    "characters.",
                )
            ]
        )
    base = request.app.state.settings.public_url
    return Response(qr_svg(base + link), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
