"""Browser app for students: a simulated town to run month by month, and to compare.

Start it with ``coauthor-sim viz`` (or ``python -m coauthor_sim.app``, or
``solara run coauthor_sim.app``) and open the address it prints; see docs/app.md.

The page (``coauthor_sim.app_views``) has three tabs: *Start here* (what the model is, first
steps, things to try and to notice, each lever's "what can backfire"), *Explore* (one run:
Step, Play at a chosen pace, Pause, Reset; the social network and four charts) and *Compare*
(the student's settings against any scenario over several paired seeds). The drawer on the left
holds the scenario picker and the levers. The pure parts (settings, charts, comparison) are in
``coauthor_sim.app_components``; this module serves the page.

Every browser session builds its own model in ``Page``; nothing is shared between sessions, and
a session's memory is released shortly after its page closes (``SESSION_TIMEOUT``).
Front-end files come from installed Python packages (``solara-assets``), never from the
internet: ``ensure_offline_assets`` adds the few links Solara needs into that package's folder.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

# How long Solara keeps a session after its page closed (for a reconnect after a network blip);
# Solara's own default is 24 hours, which lets a class's closed tabs fill the server's memory.
SESSION_TIMEOUT = "2m"
# Set before Solara is imported: no telemetry, a session released soon after its page closes,
# and no "This website runs on Solara" badge over the charts.
SERVER_SETTINGS = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_KERNEL_CULL_TIMEOUT": SESSION_TIMEOUT,
    "SOLARA_THEME_SHOW_BANNER": "False",
}
CHOSEN_BY_USER = frozenset(k for k in SERVER_SETTINGS if k in os.environ)
for _key, _value in SERVER_SETTINGS.items():
    os.environ.setdefault(_key, _value)

import solara.lab  # noqa: E402

from .app_views import Layout, Page, VegaLite  # noqa: E402

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP_MODULE = "coauthor_sim.app"
# Solara asks for these packages by major version only; solara-assets ships exact versions.
VEGA_ALIASES = (("vega", 5), ("vega-lite", 5), ("vega-embed", 6))
# Folders of solara-assets that the page needs (checked by ``missing_offline_assets``).
NEEDED_ASSETS = (
    "@widgetti/solara-vuetify-app@*",
    "@widgetti/vue-grid-layout@*",
    "requirejs@*",
    "font-awesome@*",
    "vega@5.*",
    "vega-lite@5.*",
    "vega-embed@6.*",
)


# --------------------------------------------------------------------------------------------
# Offline front-end assets and the server
# --------------------------------------------------------------------------------------------
def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.name.rsplit("@", 1)[-1]))


def cdn_folder() -> Path:
    """The folder Solara serves ``/_solara/cdn/`` from (filled by ``solara-assets``)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def ensure_offline_assets(folder: Path | None = None) -> list[Path]:
    """Make Solara's front end work with no internet; return the links it made.

    Solara's charts ask for ``vega@5``, ``vega-lite@5`` and ``vega-embed@6``, while
    ``solara-assets`` ships them under their exact versions (``vega@5.21.0``, ...). This adds a
    link from each short name to the newest matching folder. It is idempotent (existing names
    are left alone), runs whenever the app starts, and can be run by hand or by CI with
    ``python -m coauthor_sim.app --setup-only``. If the folder cannot be written, it warns.
    """
    folder = cdn_folder() if folder is None else folder
    made = []
    for package, major in VEGA_ALIASES:
        alias = folder / f"{package}@{major}"
        if alias.exists():
            continue
        found = [p for p in folder.glob(f"{package}@{major}.*") if p.is_dir()]
        if not found:
            continue  # reported by missing_offline_assets
        target = max(found, key=_version_key)
        try:
            if alias.is_symlink():  # a broken link left by an older solara-assets
                alias.unlink()
            alias.symlink_to(target.name, target_is_directory=True)
        except OSError as err:
            warnings.warn(f"could not link {alias} -> {target.name}: {err}", stacklevel=2)
            continue
        made.append(alias)
    return made


def missing_offline_assets(folder: Path | None = None) -> list[str]:
    """Front-end packages the page needs that are not installed (empty when all are)."""
    folder = cdn_folder() if folder is None else folder
    missing = [pattern for pattern in NEEDED_ASSETS if not any(folder.glob(pattern))]
    missing += [f"{p}@{m}" for p, m in VEGA_ALIASES if not (folder / f"{p}@{m}").exists()]
    return missing


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def app_url(host: str, port: int) -> str:
    """The address to open in a browser for a server listening on ``host``:``port``."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (within a second)."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves the app."""
    return [
        sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
        "--production", "--no-open", "--no-check-version", "--log-level", "warning",
    ]  # fmt: skip


def server_environment() -> dict[str, str]:
    """Environment for the server process: ``SERVER_SETTINGS`` unless set already."""
    return {**SERVER_SETTINGS, **os.environ}


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the browser app on ``host``:``port`` until interrupted; return an exit code.

    It listens on 127.0.0.1 (this computer only) unless told otherwise. Solara's development
    server is not hardened for a network: expose it to other computers only on a network you
    trust (for a classroom, put a proper reverse proxy in front). Port 0 picks a free port.
    """
    ensure_offline_assets()
    missing = missing_offline_assets()
    if missing:
        print(
            "coauthor-sim viz: warning: front-end files missing (" + ", ".join(missing) + "); "
            'install them with: pip install "coauthor-sim[app]"',
            file=sys.stderr,
        )
    if port == 0:
        port = _free_port(host)
    if not _is_loopback(host):
        print(
            f"coauthor-sim viz: warning: listening on {host}, not only on this computer. "
            "The development server is not meant for an open network.",
            file=sys.stderr,
        )
    url = app_url(host, port)
    print(f"coauthor-sim app: starting on {url} ...", flush=True)
    process = subprocess.Popen(server_command(host, port), env=server_environment())
    handled = (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))
    previous = {}
    if threading.current_thread() is threading.main_thread():
        # Stopping this process (e.g. `kill`) must stop the server too, not orphan it.
        for sig in handled:
            previous[sig] = signal.signal(sig, lambda *_: process.terminate())
    try:
        # Say "open" only once the server answers (loading takes a while on a busy machine).
        while process.poll() is None and not _answers(url):
            time.sleep(0.25)
        if process.poll() is None:
            print(f"coauthor-sim app: open {url} in a browser (Ctrl-C stops it)", flush=True)
        code = process.wait()
        return 0 if code in (-signal.SIGTERM, -signal.SIGINT) else code
    except KeyboardInterrupt:
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coauthor_sim.app [--host H] [--port P] [--setup-only]``."""
    parser = argparse.ArgumentParser(prog="python -m coauthor_sim.app", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (8765; 0 = free)")
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="only prepare the offline front-end files, report what is missing, and exit",
    )
    args = parser.parse_args(argv)
    if args.setup_only:
        for link in ensure_offline_assets():
            print(f"linked {link}")
        missing = missing_offline_assets()
        if missing:
            print("missing front-end files: " + ", ".join(missing), file=sys.stderr)
            return 1
        print(f"offline front-end files ready in {cdn_folder()}")
        return 0
    return serve(args.host, args.port)


def _prepare_server_process() -> None:
    """Also when started as ``solara run coauthor_sim.app``: no telemetry, offline assets."""
    # Solara warns at every first request over plain http that it falls back to SameSite=Lax
    # cookies: expected on 127.0.0.1, and twelve lines of noise in a student's terminal.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    try:
        from solara.server import settings

        settings.telemetry.mixpanel_enable = False
        # Solara read its settings before importing this module when started with its own
        # command: apply ours unless the environment chose otherwise.
        if "SOLARA_KERNEL_CULL_TIMEOUT" not in CHOSEN_BY_USER:
            settings.kernel.cull_timeout = SESSION_TIMEOUT
        if "SOLARA_THEME_SHOW_BANNER" not in CHOSEN_BY_USER:
            settings.theme.show_banner = False
        ensure_offline_assets()
    except Exception as err:  # never stop the app from loading over this
        warnings.warn(f"could not prepare offline front-end files: {err}", stacklevel=2)


def _release_memory() -> None:
    """Collect a closed session's objects and hand the freed memory back to the system
    (otherwise the C allocator keeps it, and the server looks as big as its busiest hour)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: reused by later sessions
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _on_session_start() -> Callable[[], None]:
    """Solara calls this when a session starts, and what it returns when the session closes;
    the memory is released a moment later, once the session's objects are unreachable."""

    def closed() -> None:
        threading.Timer(2.0, _release_memory).start()

    return closed


_prepare_server_process()
solara.lab.on_kernel_start(_on_session_start)


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "Layout",
    "Page",
    "VegaLite",
    "app_url",
    "ensure_offline_assets",
    "main",
    "missing_offline_assets",
    "serve",
    "server_command",
]

if __name__ == "__main__":
    sys.exit(main())
