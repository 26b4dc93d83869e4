"""create_app(): the FastAPI application (uvicorn --factory app.web.app:create_app)."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager

import anyio
import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.core.problems import StateError
from app.documents.trace import trace_json
from app.lab.runner import LabRunner
from app.lessons import load as load_lessons
from app.link.state import DEFAULT
from app.web.api import grads, health, lab, mc, presets, qr, trace
from app.web.cache import BodyCache
from app.web.config import get_settings
from app.web.errors import state_error_handler
from app.web.pages import assets, classroom, explorer, train
from app.web.pages.render import ROOT
from app.web.security import SecurityHeaders

DESCRIPTION = """What dropout does inside an LSTM, exactly as Keras 3, tf.keras 2 and PyTorch do it.

Every route is a pure function of its query string: the state fields (version 2; see
`app/link/state.py`). Invalid states get a 422 listing every problem. Responses carry an ETag and
Cache-Control; repeat requests with If-None-Match get a 304."""


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = app.state.settings = get_settings()
    app.state.cache = BodyCache(settings.cache_mb * 2**20)
    app.state.compute = anyio.CapacityLimiter(settings.compute_threads)
    app.state.lab = LabRunner(
        settings.lab_cache_dir,
        workers=settings.lab_workers,
        cache_bytes=settings.lab_cache_mb * 2**20,
        grace=settings.lab_grace,
    )
    load_lessons()  # a lesson that cannot be taught stops the start-up, naming its file and step
    trace_json(DEFAULT)  # warm the weights, kernels and code paths of the default state
    # What start-up built (modules, weights, lessons) lives as long as the process: moved out of
    # the collector's sight, so its full collections, which pause the event loop, stay short.
    gc.collect()
    gc.freeze()
    yield
    app.state.lab.close()


def create_app() -> FastAPI:
    app = FastAPI(
        title="LSTM Dropout Lab",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_exception_handler(StateError, state_error_handler)
    for module in (trace, mc, grads, lab, presets, health, explorer, train, assets, classroom, qr):
        app.include_router(module.router)
    app.mount("/static/vendor/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(SecurityHeaders)
    return app
