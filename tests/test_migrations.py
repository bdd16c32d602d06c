"""An existing PostgreSQL database, made before PostgreSQL became the one engine, migrates
forward: its records are indexed by the new triggers and found by the new search."""

import psycopg
import pytest
from django.db import connection

from tests import servers


def initiative_columns(db) -> set[str]:
    rows = db.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'cooperation_initiative'"
    )
    return {row[0] for row in rows}


@pytest.fixture
def database_at_0008():
    name = f"{connection.settings_dict['NAME']}_at_0008"
    url = servers.create_database(name)
    env = servers.production_environment(url)
    servers.manage(env, "migrate", "cooperation", "0008", "--noinput")
    yield url, env
    servers.drop_database(name)


def test_a_database_from_before_the_one_engine_change_migrates_forward(
    database_at_0008, django_db_blocker
):
    url, env = database_at_0008
    with psycopg.connect(url, autocommit=True) as db:
        columns = initiative_columns(db)
        assert {"synthetic", "search_summary"} <= columns  # the old schema
    # A record as the old code wrote it: through the models of migration 0008.
    script = (
        "from django.db import connection\n"
        "from django.db.migrations.loader import MigrationLoader\n"
        "state = MigrationLoader(connection).project_state(('cooperation', '0008_feed_indexes'))\n"
        "Initiative = state.apps.get_model('cooperation', 'Initiative')\n"
        "Initiative.objects.create(status='published', title_en='Investments in energies',\n"
        "    title_fr='Investissements dans les énergies', slug_en='e', slug_fr='e-fr',\n"
        "    kind='investment', summary_en='Canada and Korea invest.',\n"
        "    summary_fr='Le Canada et la Corée investissent.', synthetic=False)\n"
    )
    servers.manage(env, "shell", "-c", script)
    servers.manage(env, "migrate", "--noinput")
    with psycopg.connect(url, autocommit=True) as db:
        columns = initiative_columns(db)
        assert not {"synthetic", "search_summary", "search_description"} & columns
        found = db.execute(
            "SELECT title_en FROM cooperation_initiative WHERE "
            "search_vector_en @@ websearch_to_tsquery('portal_english', 'investment') AND "
            "search_vector_fr @@ websearch_to_tsquery('portal_french', 'investissement')"
        ).fetchall()
        assert found == [("Investments in energies",)]
        epoch = db.execute("SELECT epoch FROM cooperation_dataversion").fetchone()[0]
        assert epoch is not None
