"""create_app(): the FastAPI application (uvicorn --factory app.web.app:create_app)."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from app import __version__
from app.code_version import code_version
from app.core.compute import one_blas_thread
from app.core.problems import StateError
from app.documents.trace import trace_json
from app.lab.runner import LabRunner
from app.lessons import load as load_lessons
from app.link.state import DEFAULT
from app.web import memory
from app.web.api import from_code as from_code_api
from app.web.api import grads, health, lab, mc, presets, qr, trace
from app.web.cache import BodyCache
from app.web.compute import Abandoned, FairQueue, Overloaded
from app.web.config import Settings, get_settings
from app.web.errors import abandoned_handler, overloaded_handler, state_error_handler
from app.web.gzip import GzipResponses
from app.web.head import HeadAsGet
from app.web.hosts import TrustedHosts
from app.web.limits import QueryLimits
from app.web.pages import assets, classroom, explorer, from_code, train
from app.web.security import SecurityHeaders
from app.web.static_files import STORE, StaticRoute

DESCRIPTION = """What dropout does inside an LSTM, exactly as Keras 3, tf.keras 2 and PyTorch do it.

Every route is a pure function of its query string: the state fields (version 2; see
`app/link/state.py`). Invalid states get a 422 listing every problem. Responses carry an ETag and
Cache-Control; repeat requests with If-None-Match get a 304."""


def lab_runner(settings: Settings):
    """The lab's runner: through Redis and its workers when DROPOUT_LAB_REDIS_URL is set, else this machine's."""
    if settings.redis_url:
        from app.lab.redis_runner import RedisLabRunner

        return RedisLabRunner(
            settings.redis_url,
            grace=settings.lab_grace,
            max_wait=settings.lab_max_wait,
            cache_bytes=settings.lab_cache_mb * 2**20,
        )
    return LabRunner(
        settings.lab_cache_dir,
        workers=settings.lab_workers,
        cache_bytes=settings.lab_cache_mb * 2**20,
        grace=settings.lab_grace,
    )


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = app.state.settings = get_settings()
    memory.limit_arenas()  # before the worker threads allocate (app/web/memory.py)
    app.state.cache = BodyCache(settings.cache_mb * 2**20)
    app.state.compute = FairQueue(settings.compute_threads)
    one_blas_thread()  # for the process's life: BLAS's own threads only spin against the compute threads
    app.state.lab = lab_runner(settings)
    load_lessons()  # a lesson that cannot be taught stops the start-up, naming its file and step
    trace_json(DEFAULT)  # warm the weights, kernels and code paths of the default state
    code_version()  # every ETag starts with it: hashed now, not in the first request
    # What start-up built (modules, weights, lessons) lives as long as the process: moved out of
    # the collector's sight, so its full collections, which pause the event loop, stay short.
    gc.collect()
    gc.freeze()
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(memory.trim_when_idle)  # heavy requests' memory goes back to the system
        yield
        tasks.cancel_scope.cancel()
    app.state.lab.close()
    if (disconnect := getattr(app.state.lab, "disconnect", None)) is not None:  # Redis's (app/lab/redis_runner.py)
        await disconnect()


def create_app() -> FastAPI:
    app = FastAPI(
        title="LSTM Dropout Lab",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # one canonical URL per page: /docs/ is a 404, not a redirect built from Host
    )
    app.add_exception_handler(StateError, state_error_handler)
    app.add_exception_handler(Overloaded, overloaded_handler)
    app.add_exception_handler(Abandoned, abandoned_handler)
    routes = (trace, mc, grads, lab, presets, health, from_code_api, explorer, from_code, train, assets, classroom, qr)
    for module in routes:
        app.include_router(module.router)
    app.router.routes.insert(0, StaticRoute(STORE))  # /static/<build>/...: from memory, first (it matches nothing else)
    app.add_middleware(GzipResponses, settings=get_settings())
    app.add_middleware(HeadAsGet)  # outside gzip: a HEAD gets the GET's Content-Encoding and Length
    app.add_middleware(QueryLimits)  # thousands of parameters: one 422, before anything parses them
    # The last added is outermost: SecurityHeaders(TrustedHosts(QueryLimits(HeadAsGet(GzipResponses(routes))))).
    # A foreign Host is refused before any route or cached body, and its 400 still gets the security headers.
    app.add_middleware(TrustedHosts, settings=get_settings())
    app.add_middleware(SecurityHeaders)
    return app
