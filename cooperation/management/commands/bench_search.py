"""Time the initiatives search page in process: the whole view, and the SQL it runs.

Prints, for each case, the median (p50) and 95th percentile (p95) in milliseconds of the
view (request in, response out, through the middleware) and of the SQL alone, and the number
of queries. Run it through `make bench`, which prepares a PostgreSQL database with 100,000
synthetic initiatives.
"""

import re
import statistics
import time
from contextlib import contextmanager

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


class Command(BaseCommand):
    help = "Benchmark the initiatives search view and its SQL (p50/p95)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=40)
        parser.add_argument("--language", default="en", choices=["en", "fr"])

    def handle(self, *args, runs, language, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        total = Initiative.objects.published().count()
        self.stdout.write(
            f"Search benchmark: {total:,} published initiatives on {connection.vendor}, "
            f"{runs} runs per case, /{language}/initiatives/"
        )
        header = (
            f"{'case':<30} {'results':>8} {'queries':>8} {'view p50':>9} {'view p95':>9} "
            f"{'SQL p50':>8} {'SQL p95':>8}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        path = f"/{language}/initiatives/"
        for name, params in CASES.items():
            for _ in range(3):  # warm up caches and connections
                client.get(path, params)
            view_ms, sql_ms, queries = [], [], 0
            for _ in range(runs):
                timings: list[float] = []
                with sql_timer(timings):
                    started = time.perf_counter()
                    response = client.get(path, params)
                    view_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
                sql_ms.append(sum(timings) * 1000)
                queries = len(timings)
            match = re.search(r"([\d,\s\u00a0\u202f]+) initiatives?</p>", response.text)
            results = int(re.sub(r"\D", "", match.group(1))) if match else 0
            self.stdout.write(
                f"{name:<30} {results:>8,} {queries:>8} {statistics.median(view_ms):>9.1f} "
                f"{percentile(view_ms, 0.95):>9.1f} {statistics.median(sql_ms):>8.1f} "
                f"{percentile(sql_ms, 0.95):>8.1f}"
            )
