"""Edge benchmark: the site behind nginx (deploy/nginx.conf) as production would run it.

Starts gunicorn (gunicorn.conf.py, production settings, this process's environment) and
Debian's nginx with deploy/nginx.conf rendered into a temporary directory (its own prefix, pid,
logs, cache and temporary files, loopback ports), then measures, for each page type of
bench_load (the same addresses, both languages):

- (a) straight to gunicorn (Django's own page cache warm, as bench_load measures it);
- (b) through nginx, its cache warm: every address requested until nginx says HIT;

and (c) nginx serving a static file (the hashed stylesheet) in the same run, the ceiling the
pages are compared to. It prints requests per second, p50/p95 latency and each throughput as
a fraction of the static file's, then whether every page type through nginx reaches the goal
(1/2 of the static file). nginx and gunicorn are stopped on the way out, on an error or on
Ctrl-C too.

The load comes from wrk (Debian's package), a C client on an event loop: the static file goes
at tens of thousands of requests per second on two cores, which a Python client (Locust, or
threads over http.client) cannot send, so it would measure itself rather than nginx. Every
request asks for gzip, as browsers do.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cooperation.management.commands.bench_load import _free_port, page_types
from cooperation.models import Initiative

NGINX = "/usr/sbin/nginx"
NGINX_CONF = Path(settings.BASE_DIR) / "deploy" / "nginx.conf"
#: The page types measured (bench_load's names).
PAGE_TYPES = ("home", "initiative list", "search: words", "initiative detail", "feed", "API list")
#: The static file measured, by its name before collectstatic hashes it.
STATIC_FILE = "css/portal.css"
GOAL = 2  # a cached page through nginx reaches at least 1/GOAL of the static file

#: wrk's script: requests the addresses of a file in turn, and prints its figures as JSON.
WRK_SCRIPT = """
local paths = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def render_nginx_conf(text: str, *, folder: Path, port: int, upstream: int) -> str:
    """deploy/nginx.conf with its production addresses, paths and user replaced by the
    benchmark's own. Each line must be found, so the reference and the benchmark cannot drift
    apart unnoticed."""
    as_root = os.geteuid() == 0
    replacements = {
        # Workers as root when started by root (they read STATIC_ROOT and write the temporary
        # folder, made by root); otherwise as the user who runs the benchmark.
        "user www-data;": "user root;" if as_root else "",
        "pid /run/nginx-portal.pid;": f"pid {folder}/nginx.pid;",
        "error_log /var/log/nginx/portal-error.log warn;": f"error_log {folder}/error.log warn;",
        # An access log line per request would be measured too (as bench_load turns off
        # gunicorn's).
        "access_log /var/log/nginx/portal-access.log;": "access_log off;",
        "proxy_cache_path /var/cache/nginx/portal ": f"proxy_cache_path {folder}/cache ",
        "proxy_temp_path /var/cache/nginx/portal-temp;": (
            f"proxy_temp_path {folder}/proxy-temp;\n"
            f"    client_body_temp_path {folder}/body-temp;\n"
            f"    fastcgi_temp_path {folder}/fastcgi-temp;\n"
            f"    uwsgi_temp_path {folder}/uwsgi-temp;\n"
            f"    scgi_temp_path {folder}/scgi-temp;"
        ),
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "alias /srv/portal/staticfiles/;": f"alias {Path(settings.STATIC_ROOT).resolve()}/;",
    }
    for old, new in replacements.items():
        if old not in text:
            raise CommandError(f"deploy/nginx.conf no longer contains {old!r}; update bench_edge.")
        text = text.replace(old, new)
    return text


def _fetch(port: int, path: str) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def _wait_for(port: int, path: str, what: str, process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise CommandError(f"{what} stopped at start-up (exit status {process.returncode}).")
        try:
            _fetch(port, path)
            return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"{what} did not answer on 127.0.0.1:{port}.")


def _stop(process: subprocess.Popen | None, sig: int, timeout: float) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _interrupted(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Every page type straight to gunicorn and through nginx's cache, against a static file."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=20, help="per measurement")
        parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
        parser.add_argument("--threads", type=int, default=2, help="wrk threads")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")

    def handle(self, *args, seconds, connections, threads, workers, **options):
        if settings.DEBUG:
            raise CommandError("Run with production settings (DJANGO_DEBUG unset).")
        if not Path(NGINX).exists():
            raise CommandError(
                f"nginx is not installed ({NGINX}): apt-get install nginx, then run again."
            )
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("wrk is not installed: apt-get install wrk, then run again.")
        from django.contrib.staticfiles.storage import staticfiles_storage

        static_path = staticfiles_storage.url(STATIC_FILE)
        if not (
            Path(settings.STATIC_ROOT) / staticfiles_storage.stored_name(STATIC_FILE)
        ).exists():
            raise CommandError("No collected static files: run manage.py collectstatic first.")
        types = {name: paths for name, paths in page_types().items() if name in PAGE_TYPES}
        total = Initiative.objects.published().count()
        version = subprocess.run(
            [NGINX, "-v"], capture_output=True, text=True, check=False
        ).stderr.strip()
        cache = settings.CACHES["pages"]["BACKEND"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Edge benchmark: {total:,} published initiatives, gunicorn with {workers} workers "
            f"(page cache {'on' if settings.PAGE_CACHE else 'off'}, {cache}), "
            f"{version.replace('nginx version: ', '')} with deploy/nginx.conf, wrk with "
            f"{threads} threads and {connections} connections, {seconds} s per measurement, "
            f"Accept-Encoding: gzip, {os.cpu_count()} cores"
        )
        connection.close()
        previous = signal.signal(signal.SIGTERM, _interrupted)
        gunicorn = nginx = None
        with tempfile.TemporaryDirectory(prefix="bench-edge-") as folder:
            folder = Path(folder)
            try:
                upstream, port = _free_port(), _free_port()
                gunicorn = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                    cwd=settings.BASE_DIR,
                    env={
                        **os.environ,
                        "GUNICORN_BIND": f"127.0.0.1:{upstream}",
                        "GUNICORN_WORKERS": str(workers),
                        "GUNICORN_ACCESSLOG": "",
                        "GUNICORN_MAX_REQUESTS": "0",
                    },
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # Ctrl-C reaches this command, which stops it
                )
                nginx = self._start_nginx(folder, port, upstream)
                _wait_for(upstream, "/healthz", "gunicorn", gunicorn)
                _wait_for(port, static_path, "nginx", nginx)
                rows = self._measure(
                    wrk, folder, types, static_path, upstream, port, seconds, connections, threads
                )
            finally:
                _stop(nginx, signal.SIGQUIT, 15)  # graceful: finish the requests in flight
                _stop(gunicorn, signal.SIGTERM, 30)
                signal.signal(signal.SIGTERM, previous)
        self._report(rows)

    # -- helpers -------------------------------------------------------------------------

    def _start_nginx(self, folder: Path, port: int, upstream: int) -> subprocess.Popen:
        conf = folder / "nginx.conf"
        conf.write_text(
            render_nginx_conf(
                NGINX_CONF.read_text(encoding="utf-8"), folder=folder, port=port, upstream=upstream
            ),
            encoding="utf-8",
        )
        command = [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
        test = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        if test.returncode:
            raise CommandError(f"nginx refuses the rendered configuration: {test.stderr.strip()}")
        return subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _measure(
        self, wrk, folder, types, static_path, upstream, port, seconds, connections, threads
    ):
        def run(target_port: int, paths: list[str]) -> dict:
            listing = folder / "paths.txt"
            listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
            script = folder / "paths.lua"
            script.write_text(WRK_SCRIPT, encoding="utf-8")
            result = subprocess.run(
                [
                    wrk,
                    f"-t{threads}",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--timeout",
                    "10s",
                    "-H",
                    "Accept-Encoding: gzip",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{target_port}",
                    "--",
                    str(listing),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                raise CommandError(f"wrk failed: {result.stderr.strip() or result.stdout}")
            figures = json.loads(line.removeprefix("RESULT "))
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
            return figures

        # The static file first and last: the pages are compared to the faster of the two.
        rows = {"static file (nginx), first": {"nginx": run(port, [static_path])}}
        self.stdout.write("  measured the static file")
        for name, paths in types.items():
            for path in paths:  # Django's page cache warm, then nginx's
                _fetch(upstream, path)
            hits = 0
            for path in paths:
                for _ in range(5):  # MISS (stored), then HIT; a lock or an update may delay it
                    status, headers = _fetch(port, path)
                    if headers.get("x-cache-status") == "HIT":
                        hits += 1
                        break
            rows[name] = {
                "direct": run(upstream, paths),
                "nginx": run(port, paths),
                "cached": f"{hits}/{len(paths)}",
            }
            self.stdout.write(f"  measured {name}")
            self.stdout.flush()
        rows["static file (nginx), last"] = {"nginx": run(port, [static_path])}
        return rows

    def _report(self, rows: dict) -> None:
        """The table; "of static" is each throughput over the faster run of the static file."""
        statics = [name for name in rows if name.startswith("static file")]
        static = max(rows[name]["nginx"]["rps"] for name in statics)

        def cells(figures: dict | None) -> str:
            if figures is None:
                return f"{'':>8} {'':>7} {'':>7} {'':>9} {'':>6}"
            errors = figures["status_errors"] + figures["socket_errors"]
            ratio = f"1/{static / figures['rps']:.1f}"
            return (
                f"{figures['rps']:>8.0f} {figures['p50_us'] / 1000:>7.1f} "
                f"{figures['p95_us'] / 1000:>7.1f} {ratio:>9} {errors:>6}"
            )

        header = f"{'rps':>8} {'p50 ms':>7} {'p95 ms':>7} {'of static':>9} {'errors':>6}"
        self.stdout.write(
            f"{'':<22} | {'direct to gunicorn':<41} | {'through nginx, warm cache':<41} |\n"
            f"{'page type':<22} | {header} | {header} | nginx HITs"
        )
        self.stdout.write("-" * 122)
        rows = {name: rows[name] for name in sorted(rows, key=lambda n: n not in statics)}
        missed = []
        for name, row in rows.items():
            self.stdout.write(
                f"{name:<22} | {cells(row.get('direct'))} | {cells(row['nginx'])} | "
                f"{row.get('cached', '')}"
            )
            if name not in statics and row["nginx"]["rps"] * GOAL < static:
                missed.append(name)
        if missed:
            self.stdout.write(
                f"Goal missed (through nginx, at least 1/{GOAL} of the static file): "
                + ", ".join(missed)
            )
        else:
            self.stdout.write(
                f"Goal met: every page type through nginx's cache reaches at least 1/{GOAL} "
                "of the static file."
            )
