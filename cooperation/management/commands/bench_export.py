"""Time the download of every published initiative as CSV, JSON and XLSX through the views
(the search page's download with no filter, and the full dump /data/initiatives.*), and measure
the memory it takes: it should stay flat whatever the number of rows.

Prints rows, megabytes, seconds, rows per second, and the process's resident memory before
and after each download and its peak so far (a streamed export leaves them flat). With
--trace, also the peak of Python allocations (tracemalloc), at several times the run time.
The peak is the process's, over everything run before: `--formats xlsx` measures one format
alone (an XLSX workbook is written to a temporary file by openpyxl's write-only mode, then
streamed from it).
"""

import resource
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from cooperation import opendata
from cooperation.models import Initiative


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


class Command(BaseCommand):
    help = "Benchmark the CSV, JSON and XLSX export of all published initiatives."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", choices=["en", "fr"])
        parser.add_argument("--trace", action="store_true", help="measure with tracemalloc")
        parser.add_argument(
            "--formats",
            default=",".join(opendata.FORMATS),
            help="comma-separated formats to download (default: %(default)s)",
        )

    def handle(self, *args, language, trace, formats, **options):
        formats = [fmt.strip() for fmt in formats.split(",")]
        if unknown := set(formats) - set(opendata.FORMATS):
            raise CommandError(f"Unknown formats: {', '.join(sorted(unknown))}")
        client = Client(HTTP_HOST="127.0.0.1")
        total = Initiative.objects.published().count()
        self.stdout.write(
            f"Export benchmark: {total:,} published initiatives on {connection.vendor}"
        )
        self.stdout.write(
            f"{'download':<28} {'rows':>9} {'MB':>8} {'seconds':>8} {'rows/s':>8} "
            f"{'RSS before':>11} {'RSS after':>10} {'RSS peak':>9}"
            + (f" {'peak alloc MB':>14}" if trace else "")
        )
        path = "results" if language == "en" else "resultats"
        downloads = [
            (f"search results .{fmt}", f"/{language}/initiatives/{path}.{fmt}") for fmt in formats
        ] + [(f"full dump .{fmt}", f"/data/initiatives.{fmt}") for fmt in formats]
        for label, url in downloads:
            before = resident_mb()
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            response = client.get(url)
            size = 0
            for chunk in response.streaming_content:  # consumed as a client would, not kept
                size += len(chunk)
            seconds = time.perf_counter() - started
            peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            traced = ""
            if trace:
                traced = f" {tracemalloc.get_traced_memory()[1] / 2**20:>14.1f}"
                tracemalloc.stop()
            rows = total  # every published initiative (no query, no filter)
            self.stdout.write(
                f"{label:<28} {rows:>9,} {size / 2**20:>8.1f} {seconds:>8.1f} "
                f"{rows / seconds:>8,.0f} {before:>11.1f} {resident_mb():>10.1f} "
                f"{peak_rss:>9.1f}{traced}"
            )
