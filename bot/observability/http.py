"""``/healthz``, ``/readyz`` and ``/metrics`` over HTTP: on the webhook server, and on a listener
of their own (``COACHBOT_HEALTH_LISTEN``) in either mode — the only way to reach them when the
bot uses long polling.

``/healthz``: 200 while the process answers. ``/readyz``: 200 when the worker may take updates,
503 otherwise; the body says which check failed (JSON). ``/metrics``: Prometheus' text format.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST

from bot.observability.monitor import Monitor

log = logging.getLogger(__name__)

PATHS = ("/healthz", "/readyz", "/metrics")


def add_probe_routes(
    app: web.Application, monitor: Monitor, *, webhook_path: str | None = None
) -> None:
    """The three routes; with ``webhook_path``, also count the webhook's answers by status
    (401s: someone without the secret; 500s: updates Telegram will deliver again)."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        verdict = await monitor.verdict()
        return web.json_response(
            {"ready": verdict.ready, "checks": verdict.checks},
            status=200 if verdict.ready else 503,
        )

    async def metrics(_: web.Request) -> web.Response:
        body = await monitor.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    if webhook_path is not None:

        @web.middleware
        async def count_answers(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.path != webhook_path:
                return await handler(request)
            status = 500
            try:
                response = await handler(request)
                status = response.status
                return response
            except web.HTTPException as error:
                status = error.status
                raise
            finally:
                monitor.metrics.webhook_requests.labels(str(status)).inc()

        app.middlewares.append(count_answers)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


class ProbeServer:
    """The probes on their own address; ``listen`` None: none (``close`` is then a no-op)."""

    def __init__(self, monitor: Monitor, listen: tuple[str, int] | None) -> None:
        self._monitor = monitor
        self._listen = listen
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        if self._listen is None:
            return
        app = web.Application()
        add_probe_routes(app, self._monitor)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        host, port = self._listen
        await web.TCPSite(self._runner, host, port).start()
        log.info("health and metrics on http://%s:%d (/healthz, /readyz, /metrics)", host, port)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
