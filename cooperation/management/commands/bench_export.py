"""Time the download of every published initiative as CSV (and JSON) through the view, and
measure the memory it takes: streamed, it should stay flat whatever the number of rows.

Prints rows, megabytes, seconds, rows per second, and the peak of Python allocations during
the download (tracemalloc) beside the process's resident size before and after.
"""

import resource
import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from cooperation.models import Initiative


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


class Command(BaseCommand):
    help = "Benchmark the streamed CSV/JSON export of all published initiatives."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", choices=["en", "fr"])

    def handle(self, *args, language, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        total = Initiative.objects.published().count()
        self.stdout.write(
            f"Export benchmark: {total:,} published initiatives on {connection.vendor}"
        )
        self.stdout.write(
            f"{'format':<7} {'rows':>9} {'MB':>8} {'seconds':>8} {'rows/s':>8} "
            f"{'peak alloc MB':>14} {'RSS before':>11} {'RSS after':>10}"
        )
        path = "results" if language == "en" else "resultats"
        for fmt in ("csv", "json"):
            before = resident_mb()
            tracemalloc.start()
            started = time.perf_counter()
            response = client.get(f"/{language}/initiatives/{path}.{fmt}")
            size = 0
            for chunk in response.streaming_content:  # consumed as a client would, not kept
                size += len(chunk)
            seconds = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows = total  # every published initiative (no query, no filter)
            self.stdout.write(
                f"{fmt:<7} {rows:>9,} {size / 2**20:>8.1f} {seconds:>8.1f} "
                f"{rows / seconds:>8,.0f} {peak / 2**20:>14.1f} {before:>11.1f} "
                f"{resident_mb():>10.1f}"
            )
