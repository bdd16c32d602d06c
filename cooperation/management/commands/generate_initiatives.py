"""Generate bilingual initiatives for benchmarks, in a database of their own.

The benchmark never shares a database with real content: this command refuses to write into a
database whose name does not contain "bench" (`make bench` uses `portal_bench`), and dropping
that database is the clean-up. Every generated record is published (complete in both languages,
citing the benchmark's own source), so public pages and search treat them like real records;
the database's triggers index them as they are written.

The vocabulary is built so the benchmark has known cases: "cooperation" / "coopération" is in
every title (a word matching most records), "zirconium" in about 1 in 10,000 (a selective
word), and "Quantix" in about 1 in 1,000 (for the typo "Quantx").
"""

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cooperation.models import (
    Citation,
    CooperationArea,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    InitiativeStatus,
    Organization,
    OrganizationKind,
    Source,
    Status,
)
from curation.history import Reason

TOPICS = [
    ("energy", "énergie"),
    ("hydrogen", "hydrogène"),
    ("semiconductor", "semi-conducteur"),
    ("chip design", "conception de puces"),
    ("data centre", "centre de données"),
    ("talent exchange", "échange de talents"),
    ("standards", "normes"),
    ("governance", "gouvernance"),
    ("cybersecurity", "cybersécurité"),
    ("battery", "batterie"),
    ("language model", "modèle de langue"),
    ("robotics", "robotique"),
    ("health", "santé"),
    ("quantum sensing", "détection quantique"),
    ("clean technology", "technologies propres"),
    ("small modular reactor", "petit réacteur modulaire"),
    ("wind power", "énergie éolienne"),
    ("critical minerals", "minéraux critiques"),
    ("supply chain", "chaîne d'approvisionnement"),
    ("cloud computing", "infonuagique"),
    ("agriculture", "agriculture"),
    ("aerospace", "aérospatiale"),
]
FORMS = [
    ("{topic} cooperation programme", "Programme de coopération en {topic}"),
    ("Joint {topic} cooperation project", "Projet conjoint de coopération en {topic}"),
    ("{topic} research cooperation", "Coopération de recherche en {topic}"),
    ("Cooperation on {topic} investment", "Coopération sur l'investissement en {topic}"),
]
PLACES = [
    ("Seoul", "Séoul"),
    ("Toronto", "Toronto"),
    ("Montreal", "Montréal"),
    ("Busan", "Busan"),
    ("Vancouver", "Vancouver"),
    ("Daejeon", "Daejeon"),
]
BATCH = 2000


#: The generated records' slugs start with these (how a second run knows what is there).
PREFIXES = {
    Initiative: "synthetic-initiative-",
    Organization: "synthetic-organization-",
    CooperationArea: "synthetic-area-",
}


def generated(model):
    return model.objects.filter(slug_en__startswith=PREFIXES[model])


class Command(BaseCommand):
    help = "Generate N bilingual initiatives for benchmarks, in a benchmark database."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, nargs="?", default=1000)
        parser.add_argument(
            "--total", type=int, help="Generate only what brings published initiatives to this."
        )
        parser.add_argument("--organizations", type=int, default=2000)
        parser.add_argument("--areas", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--any-database",
            action="store_true",
            help="Write even into a database whose name lacks 'bench' (the test suite's).",
        )

    def handle(self, *args, count, total, organizations, areas, seed, any_database, **options):
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not any_database:
            raise CommandError(
                f"The database {name!r} is not a benchmark database: generated records never "
                "go into real content. Point DATABASE_URL at a database named like "
                "portal_bench (`make bench` does)."
            )
        with connection.cursor() as cursor:
            # Bulk work: the web requests' statement timeout does not apply here.
            cursor.execute("SET statement_timeout = 0")
        if total is not None:
            count = max(0, total - Initiative.objects.published().count())
            if not count:
                self.histories()
                self.analyze()
                self.stdout.write(f"Already {total:,} published initiatives; nothing to add.")
                return
        random.seed(seed + generated(Initiative).count())
        started = timezone.now()
        with transaction.atomic():
            source = self.source()
            area_ids = self.areas(areas, source)
            org_rows = self.organizations(organizations, source)
            made = self.initiatives(count, area_ids, org_rows, source)
        self.histories()
        self.analyze(compact=made > 0)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(f"Generated {made} initiatives in {seconds:.0f} s.")

    def histories(self) -> None:
        """A creation in each generated record's history, as every record saved in the admin
        has (the desk and the "changed by me" filter read the history tables): one
        INSERT ... SELECT per model, for the generated records that have none yet."""
        for model in PREFIXES:
            historical = model.history.model
            columns = [
                f.column
                for f in historical._meta.concrete_fields
                if not f.column.startswith("history_")
            ]
            listed = ", ".join(connection.ops.quote_name(c) for c in columns)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {historical._meta.db_table} ({listed}, history_date, "
                    "history_change_reason, history_type, history_user_id) "
                    f"SELECT {listed}, record.created, %s, '+', NULL "
                    f"FROM {model._meta.db_table} AS record WHERE record.slug_en LIKE %s "
                    f"AND NOT EXISTS (SELECT 1 FROM {historical._meta.db_table} AS h "
                    "WHERE h.id = record.id)",
                    [Reason.PUBLISHED, PREFIXES[model] + "%"],
                )

    def analyze(self, compact: bool = False) -> None:
        """VACUUM ANALYZE: fresh statistics, and a visibility map so that index-only scans
        apply, as autovacuum would leave them in time on a live site. After generating,
        first VACUUM FULL of the initiatives: each row was written three times (the search
        triggers rewrite it as its participants and areas arrive), which left the table
        2.5 times its size; a live table reuses that space as it goes, so the benchmarks
        would otherwise measure the generator's leftovers."""
        with connection.cursor() as cursor:
            # VACUUM cannot run in a transaction (as in tests); ANALYZE alone then.
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")
                return
            if compact:
                cursor.execute(f"VACUUM (FULL) {Initiative._meta.db_table}")
            cursor.execute("VACUUM ANALYZE")

    def source(self) -> Source:
        source, _created = Source.objects.get_or_create(
            reference="synthetic-benchmark",
            defaults={
                "title_en": "Synthetic benchmark data",
                "title_fr": "Données synthétiques d'essai",
                "publisher_en": "Benchmark generator",
                "publisher_fr": "Générateur d'essais",
                "summary_en": "Generated records for load tests.",
                "summary_fr": "Fiches générées pour les essais de charge.",
                "language": "en",
                "status": Status.PUBLISHED,
            },
        )
        return source

    def cite_all(self, model, ids, source) -> None:
        content_type = ContentType.objects.get_for_model(model)
        Citation.objects.bulk_create(
            [
                Citation(
                    content_type=content_type,
                    object_id=pk,
                    source=source,
                    location_en="Generated",
                    location_fr="Généré",
                    supports_en="Synthetic data.",
                    supports_fr="Données synthétiques.",
                )
                for pk in ids
            ],
            batch_size=BATCH,
        )

    def areas(self, count: int, source) -> list[int]:
        existing = list(generated(CooperationArea).values_list("pk", flat=True))
        if len(existing) >= count:
            return existing
        created = CooperationArea.objects.bulk_create(
            [
                CooperationArea(
                    name_en=f"Synthetic area {n}",
                    name_fr=f"Domaine synthétique {n}",
                    slug_en=f"synthetic-area-{n}",
                    slug_fr=f"domaine-synthetique-{n}",
                    summary_en="Generated.",
                    summary_fr="Généré.",
                    position=100 + n,
                    status=Status.PUBLISHED,
                )
                for n in range(len(existing), count)
            ]
        )
        self.cite_all(CooperationArea, [a.pk for a in created], source)
        return existing + [a.pk for a in created]

    def organizations(self, count: int, source) -> list[tuple[int, str]]:
        rows = list(generated(Organization).values_list("pk", "name_en"))
        if len(rows) < count:
            kinds = [k for k, _label in OrganizationKind.choices]
            created = Organization.objects.bulk_create(
                [
                    Organization(
                        name_en=f"Synthetic Organization {n}",
                        name_fr=f"Organisation synthétique {n}",
                        slug_en=f"synthetic-organization-{n}",
                        slug_fr=f"organisation-synthetique-{n}",
                        kind=random.choice(kinds),
                        country=random.choice(["CA", "KR", "US", "JP"]),
                        summary_en="Generated.",
                        summary_fr="Générée.",
                        status=Status.PUBLISHED,
                    )
                    for n in range(len(rows), count)
                ],
                batch_size=BATCH,
            )
            self.cite_all(Organization, [o.pk for o in created], source)
            rows += [(o.pk, o.name_en) for o in created]
        return rows

    def initiatives(self, count: int, area_ids, org_rows, source) -> int:
        organization_ids = [pk for pk, _name in org_rows]
        kinds = [k for k, _label in InitiativeKind.choices]
        statuses = [s for s, _label in InitiativeStatus.choices]
        start = generated(Initiative).count()
        now = timezone.now()
        made = 0
        for offset in range(start, start + count, BATCH):
            batch = []
            links = []
            for n in range(offset, min(offset + BATCH, start + count)):
                topic_en, topic_fr = random.choice(TOPICS)
                form_en, form_fr = random.choice(FORMS)
                title_en = form_en.format(topic=topic_en).capitalize() + f" {n}"
                title_fr = form_fr.format(topic=topic_fr) + f" {n}"
                if n % 10000 == 7:
                    title_en, title_fr = f"Zirconium {title_en}", f"Zirconium {title_fr}"
                if n % 1000 == 3:
                    title_en, title_fr = f"Quantix {title_en}", f"Quantix {title_fr}"
                place_en, place_fr = random.choice(PLACES)
                summary_en = f"Canada and Korea work together on {topic_en} in {place_en}."
                summary_fr = f"Le Canada et la Corée collaborent en {topic_fr} à {place_fr}."
                orgs = random.sample(organization_ids, 3)
                areas = random.sample(area_ids, 2)
                batch.append(
                    Initiative(
                        title_en=title_en,
                        title_fr=title_fr,
                        slug_en=f"synthetic-initiative-{n}",
                        slug_fr=f"initiative-synthetique-{n}",
                        summary_en=summary_en,
                        summary_fr=summary_fr,
                        location_en=place_en,
                        location_fr=place_fr,
                        kind=random.choice(kinds),
                        initiative_status=random.choice(statuses),
                        start_date=datetime.date(
                            random.randint(2010, 2026), random.randint(1, 12), 1
                        ),
                        start_date_precision="month",
                        status=Status.PUBLISHED,
                        first_published=now,
                    )
                )
                links.append((orgs, areas))
            created = Initiative.objects.bulk_create(batch, batch_size=BATCH)
            InitiativeParticipant.objects.bulk_create(
                [
                    InitiativeParticipant(initiative=i, organization_id=o, role=role)
                    for i, (orgs, _areas) in zip(created, links, strict=True)
                    for o, role in zip(orgs, ("lead", "partner", "funder"), strict=True)
                ],
                batch_size=BATCH * 3,
            )
            Initiative.areas.through.objects.bulk_create(
                [
                    Initiative.areas.through(initiative_id=i.pk, cooperationarea_id=a)
                    for i, (_orgs, areas) in zip(created, links, strict=True)
                    for a in areas
                ],
                batch_size=BATCH * 2,
            )
            self.cite_all(Initiative, [i.pk for i in created], source)
            made += len(created)
            self.stdout.write(f"  {made} / {count}", ending="\r")
        self.stdout.write("")
        return made
