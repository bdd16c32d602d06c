"""Search indexes: GIN on the stored vectors, trigram GIN for typo tolerance."""

from django.db import migrations

CREATE = [
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
DROP = [
    "DROP INDEX IF EXISTS initiative_search_title_trgm",
    "DROP INDEX IF EXISTS initiative_search_related_trgm",
    "DROP INDEX IF EXISTS initiative_search_fr_gin",
    "DROP INDEX IF EXISTS initiative_search_en_gin",
]


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0003_initiative_search")]

    # The search columns of existing initiatives are filled by migration 0009's triggers.
    operations = [migrations.RunSQL(CREATE, DROP)]
