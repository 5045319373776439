"""An HTTP tagging service: load a bundle once, tag articles on request.

Needs the ``serve`` extra (FastAPI and uvicorn)::

    pip install ".[serve]"       # from a checkout of topics
    topics serve --model default --port 8000

``POST /tag`` takes one article (``{"text": ..., "id": ..., "title": ...}``) and
answers one object, or a batch (a JSON list of articles, or ``{"articles": [...]}``)
and answers a list: the same objects ``topics tag --format jsonl`` prints.
``GET /health``, ``GET /topics`` and ``GET /model`` (the manifest) describe the
model; ``GET /openapi.json`` describes the API. Malformed or oversized requests
get a 4xx answer that says what is wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import re
import threading
import time
from contextlib import asynccontextmanager
from typing import Annotated, Union

import anyio
from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import __version__
from .corpus import MAX_CHARS, Article
from .model import Model
from .tagger import Tagger
from .workers import exit_with_parent

__all__ = ["create_app", "ArticleIn"]

MAX_BODY_BYTES = 10_000_000
MAX_BATCH = 1_000
TOKEN_ENV = "TOPICS_SERVE_TOKEN"
READ_TIMEOUT = 10.0  # seconds a client has to send a request's headers, and then its body
TIME_LIMIT = 30.0  # seconds a /tag request may wait for a tagging slot and be tagged
_PATH = re.compile(r"(?:(?<![A-Za-z])[A-Za-z]:)?[/\\][^\s:+,;'\"]*[/\\]([^\s:+,;'\"/\\]+)")


class ArticleIn(BaseModel):
    """One article to tag."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=MAX_BODY_BYTES, description="The article text.")
    id: str | None = Field(default=None, max_length=1_000, description="Echoed back; defaults to its position.")
    title: str | None = Field(default=None, max_length=10_000)
    date: str | None = Field(default=None, max_length=100)

    @field_validator("text")
    @classmethod
    def _has_words(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is only whitespace")
        return text


class Batch(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_BATCH)


Payload = Union[ArticleIn, Annotated[list[ArticleIn], Field(min_length=1, max_length=MAX_BATCH)], Batch]  # noqa: UP007 (FastAPI reads it at runtime)


def _without_paths(value):
    """``value`` with every filesystem path cut to its last part: the service must not tell
    clients where the model's corpus or taxonomy lives on the server."""
    if isinstance(value, str):
        return _PATH.sub(r"\1", value)
    if isinstance(value, dict):
        return {k: _without_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_paths(v) for v in value]
    return value


_worker_tagger: Tagger | None = None


def _start_worker(model: Model, parent: int) -> None:
    global _worker_tagger
    exit_with_parent(parent)
    _worker_tagger = Tagger(model)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(5)  # tagging takes the spare CPU; the process answering requests comes first


def _ready() -> bool:
    time.sleep(0.2)  # busy long enough that every worker gets started
    return True


def _trim_memory() -> None:
    """Hand freed heap memory back to the system (glibc keeps it otherwise, so one burst of
    10 MB requests would leave the server hundreds of MB larger for good)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _tag_in_worker(articles: list[Article], deadline: float) -> list[dict] | None:
    """Tag in a worker process; None when the request's time ran out before its turn."""
    if time.time() > deadline:
        return None
    results = [r.to_dict() for r in _worker_tagger.tag(articles)]
    if sum(len(a.text) for a in articles) > 1_000_000:
        _trim_memory()  # what a huge request took goes back to the system, the worker stays
    return results


def create_app(
    model: Model,
    max_body_bytes: int = MAX_BODY_BYTES,
    token: str | None = None,
    time_limit: float = TIME_LIMIT,
    read_timeout: float = READ_TIMEOUT,
    max_parallel: int | None = None,
    processes: int = 0,
) -> FastAPI:
    """A FastAPI application serving ``model``.

    Parameters
    ----------
    model : Model
        A loaded (verified) model.
    max_body_bytes : int
        Larger request bodies are refused with 413 before they are parsed.
    token : str, optional
        Require ``Authorization: Bearer <token>`` on every endpoint but ``/health``
        (default: ``$TOPICS_SERVE_TOKEN``; none: no authentication).
    time_limit : float
        A ``/tag`` request not tagged within this many seconds (waiting for a slot
        included) gets 503; work not yet started for it is dropped.
    read_timeout : float
        A request body not received within this many seconds gets 408.
    max_parallel : int, optional
        Requests tagged at once (default: the number of cores); the others wait.
        Texts are cut to 1,000,000 characters, as ``topics tag`` cuts them.
    processes : int
        Tag in this many worker processes (each loads the model once), so that tagging
        never holds up the process that answers (``/health`` stays fast under load, and
        tagging's memory is the workers'); 0 tags in threads of this process.
    """
    gate = threading.BoundedSemaphore(max_parallel or os.cpu_count() or 1)
    pool = None
    if processes:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(model, os.getpid()),
        )  # never recycled: a new worker would stall requests while it loads
    tagger = Tagger(model)
    name = f"{model.manifest.get('name')}@{model.manifest.get('version')}"
    topics_payload = {"model": name, "topics": model.topics(topn=10)}
    public_manifest = _without_paths(model.manifest)
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    expected = f"Bearer {token}".encode() if token else None
    last_big = [0.0]

    def trim_when_quiet() -> None:
        """After big requests, give their memory back once they have stopped for a second
        (trimming takes the allocator's locks: not while requests keep coming)."""
        last_big[0] = time.monotonic()
        loop = asyncio.get_running_loop()

        def check() -> None:
            if time.monotonic() - last_big[0] >= 1.0:
                loop.run_in_executor(None, _trim_memory)

        loop.call_later(1.0, check)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if pool is not None:  # start every worker now, not on a request under load
            futures = [pool.submit(_ready) for _ in range(processes)]
            await anyio.to_thread.run_sync(lambda: [f.result() for f in futures])
        yield
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="topics tagging service",
        version=__version__,
        description="Tags news articles with themes (scores, evidence terms) and LDA topics.",
        docs_url=None,  # the interactive pages load their scripts from a CDN; /openapi.json describes the API
        redoc_url=None,
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def authenticate(request: Request, call_next):
        if expected is not None and request.url.path != "/health":
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return JSONResponse(
                    {"detail": "missing or wrong bearer token"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
                )
        return await call_next(request)

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_body_bytes):
            return JSONResponse({"detail": f"request body over {max_body_bytes:,} bytes"}, status_code=413)
        if request.method == "POST":
            # Read the body here, counting as it arrives (a chunked upload declares no length)
            # and against the clock (a client trickling bytes must not hold a slot forever).
            body = bytearray()
            try:
                with anyio.fail_after(read_timeout):
                    async for chunk in request.stream():
                        body += chunk
                        if len(body) > max_body_bytes:
                            return JSONResponse(
                                {"detail": f"request body over {max_body_bytes:,} bytes"}, status_code=413
                            )
            except TimeoutError:
                return JSONResponse({"detail": f"request body not received within {read_timeout:g} s"}, status_code=408)
            request._body = bytes(body)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError):
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
            for e in exc.errors()[:10]
        ]
        return JSONResponse({"detail": "invalid request", "problems": problems}, status_code=422)

    @app.get("/health", summary="Liveness and the model served")
    def health() -> dict:
        return {"status": "ok", "model": name}

    @app.get("/model", summary="The bundle manifest (versions, corpus, parameters, hashes)")
    def manifest() -> dict:
        return public_manifest

    @app.get("/topics", summary="The model's topics with their top words and sizes")
    def topics() -> dict:
        return topics_payload

    @app.post("/tag", summary="Tag one article, or a batch (a list or {'articles': [...]})")
    async def tag(payload: Annotated[Payload, Body()]):
        single = isinstance(payload, ArticleIn)
        items = [payload] if single else payload.articles if isinstance(payload, Batch) else payload
        articles = [
            Article(id=a.id if a.id is not None else str(i + 1), text=a.text[:MAX_CHARS], title=a.title, date=a.date)
            for i, a in enumerate(items)
        ]
        deadline = time.monotonic() + time_limit
        if pool is not None:
            # submitted from a thread: pickling a large batch must not hold up the event loop
            future = await anyio.to_thread.run_sync(pool.submit, _tag_in_worker, articles, time.time() + time_limit)
            try:
                results = await asyncio.wait_for(asyncio.wrap_future(future), time_limit)
            except TimeoutError:
                results = None
            if sum(len(a.text) for a in items) > 1_000_000:
                trim_when_quiet()
            if results is None:
                return _busy(time_limit)
            return results[0] if single else results

        def work() -> list[dict] | None:
            # At most max_parallel requests tag at once (the cores); a request whose time
            # is up before it gets a slot is never started.
            if not gate.acquire(timeout=max(0.0, deadline - time.monotonic())):
                return None
            try:
                return [r.to_dict() for r in tagger.tag(articles)] if time.monotonic() < deadline else None
            finally:
                gate.release()

        try:
            with anyio.fail_after(time_limit):
                results = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except TimeoutError:
            results = None
        if results is None:
            return _busy(time_limit)
        return results[0] if single else results

    return app


def _busy(time_limit: float) -> JSONResponse:
    return JSONResponse(
        {"detail": f"not tagged within {time_limit:g} s: the service is busy, retry later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def serve(
    model: Model,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    max_connections: int = 64,
    workers: int | None = None,
) -> None:
    """Run the service with uvicorn until interrupted.

    ``max_connections`` caps concurrent connections and requests (more get 503); idle
    keep-alive connections close after 5 seconds, and a connection that has not sent
    complete request headers within ``READ_TIMEOUT`` seconds is closed. ``workers``
    tagging processes (default: one per core) each load the model once.
    """
    import uvicorn

    app = create_app(model, token=token, processes=workers or os.cpu_count() or 1)
    # The model is millions of long-lived objects: keep the collector from walking them in
    # the middle of a request (a full collection of them stalls every answer ~0.2 s).
    import gc

    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        limit_concurrency=max_connections,
        timeout_keep_alive=5,
        http=_header_timeout_protocol(),
    )


def _header_timeout_protocol():
    """uvicorn's h11 protocol with a deadline for request headers: a client that has not
    sent complete headers within ``READ_TIMEOUT`` seconds of connecting (or of its previous
    response) is disconnected (slowloris). Bodies have their own deadline (``create_app``)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderTimeoutH11Protocol(H11Protocol):
        _header_timer = None

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(READ_TIMEOUT, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            # Mid-request, h11 cannot send a clean close: drop the connection.
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()  # the headers are in: a request is being served

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutH11Protocol
