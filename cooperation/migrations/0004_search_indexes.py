"""PostgreSQL search indexes (GIN on the stored vectors, trigram GIN for typo tolerance), and a
backfill of the search columns of initiatives that existed before them. SQLite needs neither
index: it matches on the normalized text columns."""

from django.db import migrations

from cooperation.search import search_words, vector_sql

POSTGRES_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS initiative_search_en_gin ON cooperation_initiative "
    "USING gin (search_vector_en)",
    "CREATE INDEX IF NOT EXISTS initiative_search_fr_gin ON cooperation_initiative "
    "USING gin (search_vector_fr)",
    "CREATE INDEX IF NOT EXISTS initiative_search_title_trgm ON cooperation_initiative "
    "USING gin (search_title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS initiative_search_related_trgm ON cooperation_initiative "
    "USING gin (search_related gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS initiative_search_title_trgm",
    "DROP INDEX IF EXISTS initiative_search_related_trgm",
    "DROP INDEX IF EXISTS initiative_search_fr_gin",
    "DROP INDEX IF EXISTS initiative_search_en_gin",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_SQL:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_REVERSE:
            schema_editor.execute(statement)


def backfill(apps, schema_editor):
    Initiative = apps.get_model("cooperation", "Initiative")
    Participant = apps.get_model("cooperation", "InitiativeParticipant")
    for initiative in Initiative.objects.all():
        names = [
            name
            for row in Participant.objects.filter(
                initiative=initiative, organization__status="published"
            ).values_list("organization__name_en", "organization__name_fr",
                          "organization__short_name_en", "organization__short_name_fr",
                          "organization__name_ko")
            for name in row
        ] + [
            name
            for area in initiative.areas.filter(status="published")
            for name in (area.name_en, area.name_fr)
        ]
        Initiative.objects.filter(pk=initiative.pk).update(
            search_title=search_words(f"{initiative.title_en or ''} {initiative.title_fr or ''}"),
            search_summary=search_words(f"{initiative.summary_en or ''} {initiative.summary_fr or ''}"),
            search_description=search_words(
                f"{initiative.description_en or ''} {initiative.description_fr or ''}"
            ),
            search_related=search_words(" ".join(dict.fromkeys(n for n in names if n))),
        )
    if schema_editor.connection.vendor == "postgresql":
        Initiative.objects.update(search_vector_en=vector_sql("en"), search_vector_fr=vector_sql("fr"))


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0003_initiative_search")]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
