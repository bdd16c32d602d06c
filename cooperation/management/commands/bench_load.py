"""Load benchmark: the site served by gunicorn (production settings, this process's
environment), every public page type driven by Locust (headless, on the loopback) for a fixed
time at a fixed number of concurrent users, one page type after another.

For each page type it prints requests per second, p50/p95/p99 latency (ms), errors, and the
ratio of its throughput to /healthz's, measured by the same stack in the same run; then the
gunicorn workers' memory (resident now, and peak) after the run.

Each address is requested once before its page type is timed (a warm cache, as a live site's
would be for its popular pages); the data version does not change during the run.
"""

import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import translation

from cooperation.models import (
    Agreement,
    CooperationArea,
    Initiative,
    Organization,
    Recommendation,
)

LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench" / "locustfile.py"

#: The search page's cases (as in bench_search), as query strings.
SEARCHES = {
    "search: words": ["q=zirconium", "q=quantum", "q=%22chip+design%22", "q=Quantx"],
    "search: words and filters": [
        "q=energy&kind=programme&country=KR",
        "q=research&status=active",
        "q=cooperation&kind=event",
    ],
    "search: filters alone": [
        "kind=investment&status=completed&year_from=2018",
        "country=CA&kind=event",
        "status=planned",
    ],
}


def _sample(model, language: str, n: int) -> list[str]:
    records = model.objects.published().order_by("pk")
    count = records.count()
    step = max(count // n, 1)
    ids = list(records.values_list("pk", flat=True)[: step * n : step])
    return [record.url_in(language) for record in model.objects.filter(pk__in=ids)]


def page_types() -> dict[str, list[str]]:
    """Every public page type, with the addresses that stand for it (both languages)."""
    types: dict[str, list[str]] = {"healthz": ["/healthz"]}

    def both(name, build):
        paths = []
        for language in ("en", "fr"):
            with translation.override(language):
                paths += build(language)
        types[name] = paths

    from django.urls import reverse

    def page(url_name):
        return lambda language: [reverse(f"cooperation:{url_name}")]

    both("home", page("home"))
    both("area list", page("area_list"))
    both("area detail", lambda lang: _sample(CooperationArea, lang, 10))
    both(
        "initiative list",
        lambda lang: [
            reverse("cooperation:initiative_list") + s for s in ("", "?page=2", "?page=50")
        ],
    )
    for name, queries in SEARCHES.items():
        both(
            name,
            lambda lang, q=queries: [
                f"{reverse('cooperation:initiative_list')}?{query}" for query in q
            ],
        )
    both("initiative detail", lambda lang: _sample(Initiative, lang, 50))
    both("agreement list", page("agreement_list"))
    both("agreement detail", lambda lang: _sample(Agreement, lang, 10))
    both(
        "organization list",
        lambda lang: [
            reverse("cooperation:organization_list") + s for s in ("", "?country=KR", "?page=3")
        ],
    )
    both("organization detail", lambda lang: _sample(Organization, lang, 50))
    both("recommendation list", page("recommendation_list"))
    both("recommendation detail", lambda lang: _sample(Recommendation, lang, 10))
    both("sources", page("source_list"))
    both("open data", page("open_data"))
    both("feed", page("feed"))
    both(
        "export (search results CSV)",
        lambda lang: [
            reverse("cooperation:initiative_export", kwargs={"fmt": "csv"}) + "?q=zirconium"
        ],
    )
    types["API list"] = ["/api/initiatives/", "/api/initiatives/?q=quantum", "/api/organizations/"]
    return types


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _memory_mb(pid: int) -> tuple[float, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


class Command(BaseCommand):
    help = "Load benchmark of every public page type under gunicorn, driven by Locust."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60, help="per page type")
        parser.add_argument("--users", type=int, default=8, help="concurrent connections")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
        parser.add_argument("--only", nargs="*", help="page types to run (healthz always is)")
        parser.add_argument(
            "--no-page-cache",
            action="store_true",
            help="serve without the whole-page cache (DJANGO_PAGE_CACHE=false)",
        )

    def handle(self, *args, seconds, users, workers, only, no_page_cache, **options):
        if settings.DEBUG:
            raise CommandError("Run with production settings (DJANGO_DEBUG unset).")
        types = page_types()
        if only:
            types = {k: v for k, v in types.items() if k == "healthz" or k in only}
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        environment = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESSLOG": "",  # an access log line per request would be measured too
            "GUNICORN_MAX_REQUESTS": "0",  # no recycling: the workers' memory is the run's
            "DJANGO_PAGE_CACHE": "false" if no_page_cache else "true",
        }
        total = Initiative.objects.published().count()
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Load benchmark: {total:,} published initiatives on {connection.vendor}, "
            f"gunicorn with {workers} workers, cache {cache}, "
            f"page cache {'off' if no_page_cache else 'on'}, Locust with {users} users, "
            f"{seconds} s per page type, {os.cpu_count()} cores"
        )
        connection.close()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._wait_for(base)
            results = {}
            for name, paths in types.items():
                for path in paths:  # warm: each address once
                    self._get(base + path)
                results[name] = self._run(base, paths, users, seconds)
                self.stdout.write(self._line(name, results[name], results.get("healthz")))
                self.stdout.flush()
            memory = [_memory_mb(pid) for pid in _children(server.pid)]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        self.stdout.write(
            "gunicorn workers' memory after the run (MB, resident / peak): "
            + ", ".join(f"{rss:.0f} / {peak:.0f}" for rss, peak in memory)
        )
        self._verdict(results, memory, p95_limit=150 if no_page_cache else 100)

    # -- helpers -------------------------------------------------------------------------

    def _wait_for(self, base: str) -> None:
        for _ in range(100):
            try:
                self._get(base + "/healthz")
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start")

    @staticmethod
    def _get(url: str) -> None:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()

    def _run(self, base: str, paths: list[str], users: int, seconds: int) -> dict:
        with tempfile.TemporaryDirectory() as folder:
            listing = Path(folder) / "paths.txt"
            listing.write_text("\n".join(paths), encoding="utf-8")
            prefix = Path(folder) / "stats"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--host",
                    base,
                    "-u",
                    str(users),
                    "-r",
                    str(users),
                    "-t",
                    f"{seconds}s",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "ERROR",
                    "--stop-timeout",
                    "5",
                ],
                env={**os.environ, "BENCH_PATHS_FILE": str(listing)},
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
                row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")

        def number(key):  # "N/A" when no request finished in the time
            return float(row[key]) if row[key] not in ("", "N/A") else float("inf")

        return {
            "rps": float(row["Requests/s"]),
            "p50": number("50%"),
            "p95": number("95%"),
            "p99": number("99%"),
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
        }

    @staticmethod
    def _line(name: str, result: dict, healthz: dict | None) -> str:
        ratio = f"1/{healthz['rps'] / result['rps']:.1f}" if healthz and result["rps"] else "1/1"
        return (
            f"{name:<30} {result['rps']:>8.1f} rps  p50 {result['p50']:>6.0f}  "
            f"p95 {result['p95']:>6.0f}  p99 {result['p99']:>6.0f} ms  "
            f"errors {result['errors']:>3} of {result['requests']:>7,}  {ratio:>7} of healthz"
        )

    def _verdict(self, results: dict, memory: list, p95_limit: int) -> None:
        """The targets of the performance issues, each met or not: p95 under 100 ms with the
        page cache, under 150 ms without it (the cold path: every page rebuilt)."""
        healthz = results["healthz"]["rps"]
        missed = []
        for name, result in results.items():
            if name == "healthz":
                continue
            floor = 30 if name.startswith("search") else 15
            if result["rps"] * floor < healthz:
                missed.append(f"{name}: throughput under 1/{floor} of /healthz")
            if result["p95"] >= p95_limit:
                missed.append(f"{name}: p95 {result['p95']:.0f} ms")
            if result["errors"]:
                missed.append(f"{name}: {result['errors']} errors")
        for rss, _peak in memory:
            if rss >= 150:
                missed.append(f"a worker holds {rss:.0f} MB")
        if missed:
            self.stdout.write("Targets missed:\n  " + "\n  ".join(missed))
        else:
            self.stdout.write("Every target met.")
