"""The HTTP endpoints of `collector serve`, in the same asyncio loop as the scheduler (aiohttp).

/metrics      Prometheus text format (OpenMetrics when the scraper asks for it)
/healthz      200 while the process is alive and its event loop and scheduler are responsive
/readyz       200 once the config is loaded and every enabled source has finished one run
/api/v1/sentiment   the `collector fetch --json` document plus last-update times
POST /-/reload      re-read the config now (only when service.enable_reload_endpoint is true)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from collector.snapshot import to_dict

if TYPE_CHECKING:
    from collector.service import Service

SERVICE_KEY: web.AppKey[Service] = web.AppKey("service")


async def metrics(request: web.Request) -> web.Response:
    svc = request.app[SERVICE_KEY]
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    body = svc.metrics.render(encoder, content_type)  # cached until something it shows changes
    resp = web.Response(body=body)
    resp.headers["Content-Type"] = content_type
    return resp


async def healthz(request: web.Request) -> web.Response:
    svc = request.app[SERVICE_KEY]
    lag = svc.heartbeat_age()
    if lag > svc.heartbeat_limit:
        return web.json_response({"status": "stalled", "heartbeat_age_seconds": round(lag, 3)}, status=503)
    return web.json_response({"status": "ok", "heartbeat_age_seconds": round(lag, 3)})


async def readyz(request: web.Request) -> web.Response:
    svc = request.app[SERVICE_KEY]
    coll = svc.collector
    if coll is None:
        return web.json_response({"ready": False, "why": "config not loaded"}, status=503)
    waiting = sorted(k for k in coll.sources if k not in coll.results)
    if waiting:
        return web.json_response({"ready": False, "why": "first collection cycle not finished",
                                  "waiting_for": waiting}, status=503)
    return web.json_response({"ready": True})


async def sentiment(request: web.Request) -> web.Response:
    svc = request.app[SERVICE_KEY]
    if svc.collector is None:
        return web.json_response({"error": "config not loaded"}, status=503)
    doc = to_dict(svc.collector.snapshot())
    enabled = {src.api for src in svc.collector.sources.values()}
    doc["last_update"] = {api: t for api, t in svc.collector.last_success.items() if api in enabled}
    return web.json_response(doc)


async def reload(request: web.Request) -> web.Response:
    svc = request.app[SERVICE_KEY]
    if not svc.reload_endpoint_enabled():
        return web.json_response({"error": "reload endpoint disabled (service.enable_reload_endpoint)"},
                                 status=403)
    ok, problems = await svc.reload(reason="http")
    return web.json_response({"reloaded": ok, "problems": problems}, status=200 if ok else 400)


def make_app(svc: Service) -> web.Application:
    app = web.Application()
    app[SERVICE_KEY] = svc
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/api/v1/sentiment", sentiment)
    app.router.add_post("/-/reload", reload)
    return app
