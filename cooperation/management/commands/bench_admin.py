"""Time the curators' back office in process, as curators use it: the admin home with its
desk, the initiative list with each of its searches and filters, a deep page, the
organization list, the review queue, an initiative's form and its history, and the
autocomplete.

Prints, for each page, the median (p50) and 95th percentile (p95) in milliseconds of the
view (request in, response out, through the middleware) and of its SQL, and the number of
queries; then whether every page stays under the issue's 300 ms. Two curators are signed in:
a publisher, and an editor (whose desk counts their own drafts). Both are created in the
benchmark database if needed, so the command refuses any other database. Run it through
`make bench` (or `make bench-admin`), which prepares portal_bench.
"""

import statistics
import time
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from cooperation.management.commands.bench_search import percentile, sql_timer
from cooperation.management.commands.generate_initiatives import generated
from cooperation.models import Initiative, Organization

#: The goal of the back-office issue for every list, at 100,000 initiatives.
GOAL_MS = 300

LIST = "/admin/cooperation/initiative/"


def pages(initiative: Initiative, organization: Organization) -> list[tuple[str, str, str]]:
    """(curator, label, address) for every page measured."""
    name = organization.name_en  # quoted: the whole name, as a curator pastes it
    return [
        ("publisher", "admin home (desk)", "/admin/"),
        ("editor", "admin home (editor's desk)", "/admin/"),
        ("publisher", "initiative list", LIST),
        ("publisher", "initiative list, page 500", f"{LIST}?p=500"),
        ("publisher", "search 'energie' (accents aside)", f"{LIST}?q=energie"),
        ("publisher", "search 'coree cooperation'", f"{LIST}?q=coree+cooperation"),
        ("publisher", "search by organization", f"{LIST}?q={quote(chr(34) + name + chr(34))}"),
        ("publisher", "filter: missing a language", f"{LIST}?translation=missing_any"),
        ("publisher", "filter: complete", f"{LIST}?translation=complete"),
        ("publisher", "filter: participant in KR", f"{LIST}?country=KR"),
        ("editor", "filter: my drafts", f"{LIST}?status__exact=draft&changed_by=me"),
        ("publisher", "filter: never checked", f"{LIST}?status__exact=published&checked=never"),
        (
            "publisher",
            "filter: kind and status",
            f"{LIST}?kind__exact=event&status__exact=published",
        ),
        ("publisher", "organization list", "/admin/cooperation/organization/"),
        ("publisher", "review queue", "/admin/curation/revision/"),
        ("publisher", "initiative form", f"{LIST}{initiative.pk}/change/"),
        ("publisher", "initiative history", f"{LIST}{initiative.pk}/history/"),
        (
            "publisher",
            "autocomplete 'synthetic org'",
            "/admin/autocomplete/?app_label=cooperation&model_name=initiativeparticipant"
            "&field_name=organization&term=synthetic+org",
        ),
    ]


def curator(username: str, group: str):
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": f"{username}@example.invalid"}
    )
    user.groups.add(Group.objects.get(name=group))
    return user


class Command(BaseCommand):
    help = "Benchmark the admin's lists, desk, forms and history (p50/p95 of view and SQL)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="requests per page")
        parser.add_argument("--language", default="en", choices=["en", "fr"])
        parser.add_argument(
            "--any-database",
            action="store_true",
            help="Run even on a database whose name lacks 'bench' (the test suite's).",
        )

    def handle(self, *args, runs, language, any_database, **options):
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not any_database:
            raise CommandError(
                f"The database {name!r} is not a benchmark database: this command adds two "
                "curators to it. Point DATABASE_URL at portal_bench (`make bench` does)."
            )
        clients = {}
        for role, group in (("publisher", "Publishers"), ("editor", "Editors")):
            clients[role] = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE=language)
            clients[role].force_login(curator(f"bench-{role}", group))
            clients[role].cookies["django_language"] = language
        initiative = generated(Initiative).order_by("pk")[
            generated(Initiative).count() // 2
        ]  # a record from the middle
        organization = generated(Organization).order_by("pk")[generated(Organization).count() // 2]
        total = Initiative.objects.count()
        self.stdout.write(
            f"Admin benchmark: {total:,} initiatives on {connection.vendor}, {runs} requests "
            f"per page after two to warm up, in {language}; ms."
        )
        header = (
            f"{'page':<36} {'queries':>7} {'view p50':>8} {'view p95':>8} "
            f"{'SQL p50':>8} {'SQL p95':>8}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        slow = []
        for role, label, path in pages(initiative, organization):
            client = clients[role]
            for _ in range(2):
                client.get(path)
            view_ms, sql_ms, queries = [], [], 0
            for _ in range(runs):
                timings: list[float] = []
                with sql_timer(timings):
                    started = time.perf_counter()
                    response = client.get(path)
                    view_ms.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{label}: {path} answered {response.status_code}")
                sql_ms.append(sum(timings) * 1000)
                queries = len(timings)
            p95 = percentile(view_ms, 0.95)
            if p95 >= GOAL_MS:
                slow.append(f"{label}: view p95 {p95:.0f} ms")
            self.stdout.write(
                f"{label:<36} {queries:>7} {statistics.median(view_ms):>8.1f} {p95:>8.1f} "
                f"{statistics.median(sql_ms):>8.1f} {percentile(sql_ms, 0.95):>8.1f}"
            )
        if slow:
            self.stdout.write(f"Over {GOAL_MS} ms:\n  " + "\n  ".join(slow))
        else:
            self.stdout.write(f"Every page under {GOAL_MS} ms (view p95).")
