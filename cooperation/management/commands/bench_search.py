"""Time the initiatives search page in process: the whole view, and the SQL it runs.

Prints, for each case, the median (p50) and 95th percentile (p95) in milliseconds of the
view (request in, response out, through the middleware) and of the SQL alone, and the number
of queries. Run it through `make bench`, which prepares a benchmark database (portal_bench)
with 100,000 generated initiatives.
"""

import re
import statistics
import time
from contextlib import contextmanager

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from cooperation.models import Initiative

CASES = {
    "selective word": {"q": "zirconium"},
    "word matching most records": {"q": "cooperation"},
    "typo (Quantx for Quantix)": {"q": "Quantx"},
    "phrase": {"q": '"chip design"'},
    "q plus two filters": {"q": "energy", "kind": "programme", "country": "KR"},
    "filters alone": {"kind": "investment", "status": "active"},
}


@contextmanager
def sql_timer(totals: list[float]):
    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            totals.append(time.perf_counter() - started)

    with connection.execute_wrapper(wrapper):
        yield


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, path, params, runs: int, cold: bool):
    """View and SQL times (ms) over `runs` requests, the query count, and the last response.
    Cold: the cache is emptied before each request, so everything is computed."""
    view_ms, sql_ms, queries, response = [], [], 0, None
    for _ in range(runs):
        if cold:
            cache.clear()
        timings: list[float] = []
        with sql_timer(timings):
            started = time.perf_counter()
            response = client.get(path, params)
            view_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (params, response.status_code)
        sql_ms.append(sum(timings) * 1000)
        queries = len(timings)
    return view_ms, sql_ms, queries, response


def figures(view_ms, sql_ms) -> str:
    return (
        f"{statistics.median(view_ms):>8.1f} {percentile(view_ms, 0.95):>8.1f} "
        f"{statistics.median(sql_ms):>8.1f} {percentile(sql_ms, 0.95):>8.1f}"
    )


class Command(BaseCommand):
    help = "Benchmark the initiatives search view and its SQL (p50/p95), uncached and cached."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=40, help="cached requests per case")
        parser.add_argument("--cold-runs", type=int, default=10, help="uncached requests")
        parser.add_argument("--language", default="en", choices=["en", "fr"])

    def handle(self, *args, runs, cold_runs, language, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        total = Initiative.objects.published().count()
        self.stdout.write(
            f"Search benchmark: {total:,} published initiatives on {connection.vendor}, "
            f"/{language}/initiatives/; ms.\n"
            f"Uncached: the cache is emptied before each of {cold_runs} requests (a query no "
            f"one has asked since the data last changed).\nCached: {runs} requests repeating "
            "it (answers are cached per data version and language, see cooperation/caching.py)."
        )
        header = (
            f"{'case':<28} {'results':>8} | {'queries':>7} {'view p50':>8} {'view p95':>8} "
            f"{'SQL p50':>8} {'SQL p95':>8} | {'queries':>7} {'view p50':>8} {'view p95':>8} "
            f"{'SQL p50':>8} {'SQL p95':>8}"
        )
        self.stdout.write(f"{'':<37} | {'uncached':<51} | cached")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        path = f"/{language}/initiatives/"
        for name, params in CASES.items():
            for _ in range(2):  # warm up connections and the database's buffers
                cache.clear()
                client.get(path, params)
            cold_view, cold_sql, cold_queries, _ = measure(client, path, params, cold_runs, True)
            client.get(path, params)
            view_ms, sql_ms, queries, response = measure(client, path, params, runs, False)
            match = re.search(r"([\d,\s\u00a0\u202f]+) initiatives?</p>", response.text)
            results = int(re.sub(r"\D", "", match.group(1))) if match else 0
            self.stdout.write(
                f"{name:<28} {results:>8,} | {cold_queries:>7} {figures(cold_view, cold_sql)} | "
                f"{queries:>7} {figures(view_ms, sql_ms)}"
            )
