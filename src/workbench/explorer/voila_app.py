"""The seminar server: Voilà's own application with the workbench's guards, started by `serve`
as `python -m workbench.explorer.voila_app NOTEBOOK --port=P ...`.

On top of Voilà (subclassed through its public app class, no patching):
- only local Host names are served (jupyter_server's `allow_remote_access=False` check: a
  loopback address or `localhost`), on every route, so a DNS-rebinding page cannot read the
  widget state; the kernel websocket also refuses an Origin other than the Host (jupyter_server);
- the page sets the `_xsrf` cookie (tornado sets it when the handler reads `xsrf_token`), so the
  shutdown request Voilà's page sends when its tab closes is accepted and the kernel ends;
- a kernel whose page went away without saying so (a crashed browser, a sleeping laptop, a tab
  killed before its shutdown request left) is stopped `disconnect_grace_s` after its last
  websocket closed; idle kernels that never had a page are left to jupyter_server's culler;
- at most `max_kernels` pages have a kernel at a time; beyond that a Russian page
  «Слишком много участников» (503) instead of a new kernel;
- `/workbench/health` answers the start nonce (so `serve` prints the address of this server and
  of no other), `/workbench/kernel/<id>` tells the page whether its kernel is alive (the
  recovery message), `/workbench/passport/...` serves the run's `briefings/` folder read-only,
  `/workbench/static/...` serves plotly.js once, cached, for every chart of every participant.
"""
from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import tornado.ioloop
import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from traitlets import Integer, Unicode
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from workbench.explorer.widgets import BASIC_BUNDLE, BUNDLE_DIRS, FULL_BUNDLE

KERNEL_ID = r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"
TOO_MANY_TITLE = "Слишком много участников"


def too_many_page(in_use: int, cap: int) -> str:
    """The Russian page shown instead of a new kernel when `cap` pages are already open."""
    return f"""<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>{TOO_MANY_TITLE}</title><style>body{{font-family:sans-serif;font-size:1.25rem;
max-width:40em;margin:4em auto;line-height:1.5}}button{{font-size:1.1rem;padding:.4em 1.2em}}
</style></head><body><h1>{TOO_MANY_TITLE}</h1>
<p>Сейчас открыто страниц обозревателя: {in_use}. Это предел, заданный ведущим
(параметр <code>explorer.max_kernels</code> = {cap}): каждая страница занимает память компьютера.</p>
<p>Закройте лишние вкладки или подождите минуту — неактивные страницы освобождаются сами.</p>
<p><button onclick="location.reload()">Обновить страницу</button></p></body></html>"""


def kernels_in_use(kernel_manager: Any, notebook_path: str | None) -> int:
    """Kernels serving a page: all kernels but those waiting in Voilà's preheated pool."""
    total = len(kernel_manager.list_kernel_ids())
    try:
        pooled = int(kernel_manager.get_pool_size(notebook_path))
    except (AttributeError, TypeError):
        pooled = 0
    return max(0, total - pooled)


class SeminarPageHandler(TornadoVoilaHandler):
    """Voilà's page, behind the cap on kernels, setting the `_xsrf` cookie."""

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        cap = int(self.settings["workbench_max_kernels"])
        in_use = kernels_in_use(self.kernel_manager, self.notebook_path)
        if in_use >= cap:
            self.log.warning("workbench: %d pages open, cap %d: «%s»", in_use, cap,
                             TOO_MANY_TITLE)
            self.set_status(503)
            self.set_header("Retry-After", "30")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(too_many_page(in_use, cap))
            return
        _ = self.xsrf_token  # tornado sets the `_xsrf` cookie; the tab-close shutdown sends it
        await super().get(path)


class ConnectionWatch:
    """Open kernel websockets per kernel, and since when a kernel that had a page has none."""

    def __init__(self) -> None:
        self.open: dict[str, int] = {}
        self.since: dict[str, float] = {}

    def opened(self, kernel_id: str) -> None:
        self.open[kernel_id] = self.open.get(kernel_id, 0) + 1
        self.since.pop(kernel_id, None)

    def closed(self, kernel_id: str, now: float) -> None:
        left = max(self.open.get(kernel_id, 1) - 1, 0)
        self.open[kernel_id] = left
        if left == 0:
            self.since[kernel_id] = now

    def due(self, now: float, grace_s: float) -> list[str]:
        """Kernels without a page for `grace_s` seconds (forgotten once returned)."""
        out = [k for k, t in self.since.items() if now - t >= grace_s]
        for k in out:
            self.since.pop(k, None)
            self.open.pop(k, None)
        return out


class SeminarKernelWebsocket(VoilaKernelWebsocketHandler):
    """Voilà's kernel websocket, counted by the ConnectionWatch."""

    async def open(self, kernel_id: str) -> None:  # type: ignore[override]
        self.settings["workbench_watch"].opened(kernel_id)
        await super().open(kernel_id)

    def on_close(self) -> None:
        kid = getattr(self, "kernel_id", None)
        if kid:
            self.settings["workbench_watch"].closed(kid, time.monotonic())
        super().on_close()


class HealthHandler(JupyterHandler):
    """The start nonce: proves to `serve` that this port is served by this server."""

    @tornado.web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.settings["workbench_nonce"])


class KernelAliveHandler(JupyterHandler):
    """{"alive": bool} for a kernel of this server; 404 for a kernel it does not know."""

    @tornado.web.authenticated
    async def get(self, kernel_id: str) -> None:
        km = self.kernel_manager
        if kernel_id not in km:
            raise tornado.web.HTTPError(404)
        alive = bool(await ensure_async(km.get_kernel(kernel_id).is_alive()))
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"alive": alive}))


class ReadOnlyFiles(JupyterHandler, tornado.web.StaticFileHandler):
    """Files of one folder, GET/HEAD only, Host checked; tornado keeps paths and symlink
    targets inside the folder (403 otherwise)."""

    @tornado.web.authenticated
    def get(self, path: str, include_body: bool = True) -> Any:
        return super().get(path, include_body)

    @tornado.web.authenticated
    def head(self, path: str) -> Any:
        return super().head(path)

    def compute_etag(self) -> str | None:
        return None


def local_only(handler: type) -> type:
    """A handler class with jupyter_server's Host check (JupyterHandlers already have it)."""
    if issubclass(handler, JupyterHandler):
        return handler

    class LocalOnly(handler):  # type: ignore[misc, valid-type]
        log = logging.getLogger("WorkbenchVoila")  # what check_host warns through

        def prepare(self, *args: Any, **kwargs: Any) -> Any:
            if not JupyterHandler.check_host(self):  # type: ignore[arg-type]
                raise tornado.web.HTTPError(403)
            return super().prepare(*args, **kwargs)

    LocalOnly.__name__ = f"LocalOnly{handler.__name__}"
    return LocalOnly


class WorkbenchVoila(Voila):
    """Voilà with the workbench's guards (see the module docstring)."""

    max_kernels = Integer(20, config=True, help="pages with a kernel at a time")
    disconnect_grace_s = Integer(60, config=True,
                                 help="a kernel whose page closed its websocket this long ago "
                                      "is stopped")
    passport_dir = Unicode("", config=True, help="the run's briefings/ folder (read-only)")
    nonce = Unicode("", config=True, help="answered by /workbench/health")

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings.update(allow_remote_access=False, local_hostnames=["localhost"],
                        workbench_max_kernels=self.max_kernels, workbench_nonce=self.nonce,
                        workbench_watch=ConnectionWatch())
        return settings

    async def stop_pageless_kernels(self) -> None:
        """Stop the kernels whose page went away `disconnect_grace_s` ago."""
        km = self.kernel_manager
        for kid in self.app.settings["workbench_watch"].due(time.monotonic(),
                                                            self.disconnect_grace_s):
            if kid in km:
                self.log.info("workbench: kernel %s has had no page for %d s: stopped", kid,
                              self.disconnect_grace_s)
                await ensure_async(km.shutdown_kernel(kid))

    def init_handlers(self) -> list:
        ours: list[tuple] = [
            (url_path_join(self.server_url, r"/workbench/health"), HealthHandler),
            (url_path_join(self.server_url, rf"/workbench/kernel/{KERNEL_ID}"),
             KernelAliveHandler),
            (url_path_join(self.server_url, r"/workbench/static/(plotly\.min\.js)"),
             ReadOnlyFiles, {"path": str(BUNDLE_DIRS[FULL_BUNDLE])}),
            (url_path_join(self.server_url, r"/workbench/static/(plotly-basic\.min\.js)"),
             ReadOnlyFiles, {"path": str(BUNDLE_DIRS[BASIC_BUNDLE])}),
        ]
        if self.passport_dir:
            ours.append((url_path_join(self.server_url, r"/workbench/passport/(.*)"),
                         ReadOnlyFiles, {"path": self.passport_dir}))
        ours_for = {TornadoVoilaHandler: SeminarPageHandler,
                    VoilaKernelWebsocketHandler: SeminarKernelWebsocket}
        out = []
        for spec in super().init_handlers():
            route, cls, *rest = spec
            if cls is RequestInfoSocketHandler:
                continue  # only for notebooks that wait for the request (ours does not)
            out.append((route, ours_for.get(cls) or local_only(cls), *rest))
        # the app exists now (Voilà.start builds it, then asks for the handlers)
        tornado.ioloop.PeriodicCallback(self.stop_pageless_kernels, 2000).start()
        return ours + out


def main() -> None:  # pragma: no cover - the server process
    """Entry point of the server process (`serve` starts it)."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    WorkbenchVoila.launch_instance()


if __name__ == "__main__":  # pragma: no cover
    main()
