"""PostgreSQL is the one engine: the database keeps the search index itself.

- Drops what only SQLite used (the search_summary and search_description columns) and the
  benchmark's `synthetic` flags (benchmark data lives in a database of its own now).
- Accents: contrib's `unaccent`, behind `portal_unaccent(text)` (declared immutable, so that
  expressions using it can be indexed) and inside two text search configurations,
  `portal_english` and `portal_french` (unaccent, then the language's stemmer), used for the
  stored vectors and for queries alike.
- Triggers keep every initiative's search columns current on any write, whatever makes it:
  its own texts (BEFORE INSERT/UPDATE), its participants and areas (links added, changed or
  removed), and the names or publication of those organizations and areas (AFTER UPDATE,
  statement-level, over the rows that changed). Drafts' names never find an initiative.
- Declares on the model the indexes that migrations 0004 and 0007 created in SQL.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

INITIATIVE = "cooperation_initiative"
TEXTS = ("title", "summary", "description")

CONFIGURATIONS = [
    sql
    for name, stemmer in (("portal_english", "english_stem"), ("portal_french", "french_stem"))
    for sql in (
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}",
        f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {stemmer.split('_')[0]})",
        # Words with letters beyond ASCII lose their accents before they are stemmed.
        f"ALTER TEXT SEARCH CONFIGURATION {name} "
        f"ALTER MAPPING FOR word, hword, hword_part WITH unaccent, {stemmer}",
        f"ALTER TEXT SEARCH CONFIGURATION {name} "
        "ALTER MAPPING FOR numword, numhword, hword_numpart WITH unaccent, simple",
    )
]


def _vector(language: str, config: str) -> str:
    weighted = [
        f"setweight(to_tsvector('{config}', coalesce(NEW.{text}_{language}, '')), '{weight}')"
        for text, weight in zip(TEXTS, "ABC", strict=True)
    ]
    weighted.append(f"setweight(to_tsvector('{config}', NEW.search_related), 'D')")
    return "\n           || ".join(weighted)


FUNCTIONS = [
    # The names an initiative is also found by: its published participants' and areas'.
    """
    CREATE OR REPLACE FUNCTION cooperation_initiative_related_names(initiative bigint)
    RETURNS text LANGUAGE sql STABLE AS $$
      SELECT portal_unaccent(lower(coalesce(string_agg(DISTINCT name, ' ' ORDER BY name), '')))
      FROM (
        SELECT unnest(ARRAY[o.name_en, o.name_fr, o.short_name_en, o.short_name_fr, o.name_ko])
        FROM cooperation_initiativeparticipant p
        JOIN cooperation_organization o ON o.id = p.organization_id
        WHERE p.initiative_id = initiative AND o.status = 'published'
        UNION ALL
        SELECT unnest(ARRAY[a.name_en, a.name_fr])
        FROM cooperation_initiative_areas l
        JOIN cooperation_cooperationarea a ON a.id = l.cooperationarea_id
        WHERE l.initiative_id = initiative AND a.status = 'published'
      ) names (name)
      WHERE name <> ''
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION cooperation_initiative_index() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      NEW.search_related := cooperation_initiative_related_names(NEW.id);
      NEW.search_title := portal_unaccent(lower(concat_ws(' ', NEW.title_en, NEW.title_fr)));
      NEW.search_vector_en := {_vector("en", "portal_english")};
      NEW.search_vector_fr := {_vector("fr", "portal_french")};
      RETURN NEW;
    END $$
    """,
    # Links added, changed or removed: reindex the initiatives on either side of the change.
    f"""
    CREATE OR REPLACE FUNCTION cooperation_reindex_linked_initiatives() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        UPDATE {INITIATIVE} SET search_related = search_related
        WHERE id IN (SELECT initiative_id FROM new_rows);
      ELSIF TG_OP = 'DELETE' THEN
        UPDATE {INITIATIVE} SET search_related = search_related
        WHERE id IN (SELECT initiative_id FROM old_rows);
      ELSE
        UPDATE {INITIATIVE} SET search_related = search_related
        WHERE id IN (SELECT initiative_id FROM new_rows
                     UNION SELECT initiative_id FROM old_rows);
      END IF;
      RETURN NULL;
    END $$
    """,
    # An organization or an area renamed, published or unpublished: reindex its initiatives.
    *(
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE {INITIATIVE} SET search_related = search_related
          WHERE id IN (
            SELECT l.initiative_id
            FROM new_rows n
            JOIN old_rows o ON o.id = n.id
            JOIN {links} l ON l.{key} = n.id
            WHERE ({", ".join(f"n.{c}" for c in columns)})
                  IS DISTINCT FROM ({", ".join(f"o.{c}" for c in columns)}));
          RETURN NULL;
        END $$
        """
        for function, links, key, columns in (
            (
                "cooperation_reindex_after_organization",
                "cooperation_initiativeparticipant",
                "organization_id",
                ("name_en", "name_fr", "short_name_en", "short_name_fr", "name_ko", "status"),
            ),
            (
                "cooperation_reindex_after_area",
                "cooperation_initiative_areas",
                "cooperationarea_id",
                ("name_en", "name_fr", "status"),
            ),
        )
    ),
]

INDEXED_TEXTS = ", ".join(f"{text}_{code}" for text in TEXTS for code in ("en", "fr"))
TRIGGERS = [
    f"""
    CREATE TRIGGER cooperation_initiative_index
    BEFORE INSERT OR UPDATE OF {INDEXED_TEXTS}, search_related ON {INITIATIVE}
    FOR EACH ROW EXECUTE FUNCTION cooperation_initiative_index()
    """,
    *(
        f"""
        CREATE TRIGGER {table}_reindex_{event.lower()}
        AFTER {event} ON {table} REFERENCING {transition}
        FOR EACH STATEMENT EXECUTE FUNCTION cooperation_reindex_linked_initiatives()
        """
        for table in ("cooperation_initiativeparticipant", "cooperation_initiative_areas")
        for event, transition in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
    *(
        f"""
        CREATE TRIGGER {table}_reindex_initiatives
        AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()
        """
        for table, function in (
            ("cooperation_organization", "cooperation_reindex_after_organization"),
            ("cooperation_cooperationarea", "cooperation_reindex_after_area"),
        )
    ),
]

DROP = [
    f"DROP TRIGGER IF EXISTS cooperation_initiative_index ON {INITIATIVE}",
    *(
        f"DROP TRIGGER IF EXISTS {table}_reindex_{event} ON {table}"
        for table in ("cooperation_initiativeparticipant", "cooperation_initiative_areas")
        for event in ("insert", "update", "delete")
    ),
    "DROP TRIGGER IF EXISTS cooperation_organization_reindex_initiatives "
    "ON cooperation_organization",
    "DROP TRIGGER IF EXISTS cooperation_cooperationarea_reindex_initiatives "
    "ON cooperation_cooperationarea",
    "DROP FUNCTION IF EXISTS cooperation_reindex_after_area()",
    "DROP FUNCTION IF EXISTS cooperation_reindex_after_organization()",
    "DROP FUNCTION IF EXISTS cooperation_reindex_linked_initiatives()",
    "DROP FUNCTION IF EXISTS cooperation_initiative_index()",
    "DROP FUNCTION IF EXISTS cooperation_initiative_related_names(bigint)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_french",
    "DROP FUNCTION IF EXISTS portal_unaccent(text)",
]


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        # Reindexing every initiative may outlast a web request's statement timeout.
        cursor.execute("SET LOCAL statement_timeout = 0")
        # unaccent's function and dictionary live in the schema the extension was installed in
        # (public, unless a DBA chose otherwise): name them there.
        cursor.execute(
            "SELECT quote_ident(n.nspname) FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
        cursor.execute(
            "CREATE OR REPLACE FUNCTION portal_unaccent(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
            f"$$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
        )
        for statement in CONFIGURATIONS + FUNCTIONS + TRIGGERS:
            cursor.execute(statement)
        # Every existing initiative, through the new trigger.
        cursor.execute(f"UPDATE {INITIATIVE} SET search_related = search_related")


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0008_feed_indexes")]

    operations = [
        migrations.RemoveField(model_name="initiative", name="search_summary"),
        migrations.RemoveField(model_name="initiative", name="search_description"),
        migrations.RemoveField(model_name="initiative", name="synthetic"),
        migrations.RemoveField(model_name="organization", name="synthetic"),
        migrations.RemoveField(model_name="cooperationarea", name="synthetic"),
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunPython(install, uninstall),
        # Indexes migrations 0004 and 0007 made in SQL, now declared on the model.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="initiative",
                    index=models.Index(
                        models.OrderBy(models.F("start_date"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("id"), descending=True),
                        condition=models.Q(("status", "published")),
                        name="initiative_newest",
                    ),
                ),
                migrations.AddIndex(
                    model_name="initiative",
                    index=GinIndex(fields=["search_vector_en"], name="initiative_search_en_gin"),
                ),
                migrations.AddIndex(
                    model_name="initiative",
                    index=GinIndex(fields=["search_vector_fr"], name="initiative_search_fr_gin"),
                ),
                migrations.AddIndex(
                    model_name="initiative",
                    index=GinIndex(
                        fields=["search_title"],
                        name="initiative_search_title_trgm",
                        opclasses=["gin_trgm_ops"],
                    ),
                ),
                migrations.AddIndex(
                    model_name="initiative",
                    index=GinIndex(
                        fields=["search_related"],
                        name="initiative_search_related_trgm",
                        opclasses=["gin_trgm_ops"],
                    ),
                ),
            ]
        ),
    ]
