"""The aiohttp application: routing, body parsing, token check, failure injection, call log."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web

from emulator.call import Call, Handler
from emulator.errors import ApiError, Params, UploadedFile, bad_request
from emulator.failures import is_message_call
from emulator.methods_bot import BOT_METHODS
from emulator.methods_messages import MESSAGE_METHODS
from emulator.models import ApiCall
from emulator.state import BotState, Hub
from emulator.webhook import stop_deliveries

METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler) for name, handler in {**BOT_METHODS, **MESSAGE_METHODS}.items()
}
UNAUTHORIZED = ApiError(401, "Unauthorized")
METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")
MAX_BODY = 60 * 1024 * 1024


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return Params(values, files)
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        values.update(body)
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = UploadedFile(name, value.filename, value.content_type, value.file.read())
            else:
                values[name] = value
    return Params(values, files)


class ApiServer:
    """Serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` on 127.0.0.1."""

    def __init__(self, hub: Hub, *, host: str = "127.0.0.1", long_poll_cap: float | None = None) -> None:
        self.hub = hub
        self.host = host
        self.long_poll_cap = long_poll_cap
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self.hub.closing = False
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        addresses = runner.addresses
        if not addresses:
            raise RuntimeError("could not determine the emulator's port")
        self.port = int(addresses[0][1])
        self._runner = runner

    async def stop(self) -> None:
        """Answer every waiting long poll and slow response at once, then close."""
        self.hub.closing = True
        self._stopping.set()
        for bot in self.hub.bots.values():
            bot.updates_signal.bump()
        self.hub.changed.bump()
        await stop_deliveries(self.hub)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _delay(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def _record(
        self, method: str, params: dict[str, Any], status: int, body: dict[str, Any], token: str
    ) -> None:
        hub = self.hub
        hub.calls.append(ApiCall(method, params, hub.clock(), status, body, token))
        if is_message_call(method) and token in hub.bots:
            if status == 200:
                hub.stats.accepted += 1
                hub.stats.accepted_by_method[method] += 1
            else:
                hub.stats.rejected += 1
                hub.stats.rejected_by_method[method] += 1
                if status == 429:
                    hub.stats.rate_limited += 1
        hub.changed.bump()

    async def _api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        bot = self.hub.bots.get(token)
        params = Params({})
        try:
            params = await read_params(request)
            if bot is None:
                raise UNAUTHORIZED
            name, handler = METHODS.get(method.lower(), (method, None))
            method = name
            if handler is None:
                raise METHOD_NOT_FOUND
            result = await self._run(bot, name, handler, params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.code, error.payload()
        self._record(method, params.decoded(), status, body, token)
        return web.json_response(body, status=status)

    async def _run(self, bot: BotState, method: str, handler: Handler, params: Params) -> Any:
        hub = self.hub
        plan = hub.failures.take(method)
        if plan is not None:
            hub.changed.bump()  # tests wait for a planned failure to be used (``wait_until_used``)
            error = plan.error()
            if error is not None:
                raise error
            if method.lower() == "getupdates":
                # A long poll counts from its arrival, as at Telegram: only its answer is late, so a poll
                # the client gave up on is superseded by the client's next one, not the other way round.
                result = await handler(Call(hub, bot, params, method, self.long_poll_cap))
                await self._delay(plan.delay)
                return result
            await self._delay(plan.delay)
        if hub.rate_limiter is not None and is_message_call(method):
            error = hub.rate_limiter.check(params.values.get("chat_id"))
            if error is not None:
                raise error
        return await handler(Call(hub, bot, params, method, self.long_poll_cap))

    async def _download(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        path = request.match_info["path"]
        stored = self.hub.files_by_path.get(path) if token in self.hub.bots else None
        status = 200 if stored is not None else (404 if token in self.hub.bots else 401)
        self._record("downloadFile", {"file_path": path}, status, {}, token)
        if stored is None:
            description = "Not Found" if status == 404 else "Unauthorized"
            return web.json_response(
                {"ok": False, "error_code": status, "description": description}, status=status
            )
        return web.Response(
            body=stored.data, headers={"Content-Type": stored.mime_type or "application/octet-stream"}
        )
