"""The back office at any size: what its lists, searches, filters and desk read, indexed.

- `search_admin`: an initiative's six texts (title, summary, description, in English and
  French) in lower case without accents, written by the search trigger of migration 0009 like
  `search_title`, and trigram-indexed: the admin's search (`LIKE '%word%'`, accents aside) reads
  the index and compares a stored text, instead of lowering and unaccenting every text of
  every row.
- The admin list's order (newest start date first, drafts included); the "missing a
  language" filter (a partial index over the few records it finds); the desk's "published,
  never checked" count.
"""

from importlib import import_module

import django.contrib.postgres.indexes
from django.db import migrations, models

engine = import_module("cooperation.migrations.0009_one_engine")

ADMIN_TEXTS = " || ' ' || ".join(
    f"coalesce(NEW.{text}_{code}, '')" for text in engine.TEXTS for code in ("en", "fr")
)


def index_function(with_admin_text: bool) -> str:
    admin = (
        f"NEW.search_admin := portal_unaccent(lower({ADMIN_TEXTS}));" if with_admin_text else ""
    )
    return f"""
    CREATE OR REPLACE FUNCTION cooperation_initiative_index() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      NEW.search_related := cooperation_initiative_related_names(NEW.id);
      NEW.search_title := portal_unaccent(lower(concat_ws(' ', NEW.title_en, NEW.title_fr)));
      {admin}
      NEW.search_vector_en := {engine._vector("en", "portal_english")};
      NEW.search_vector_fr := {engine._vector("fr", "portal_french")};
      RETURN NEW;
    END $$
    """


# The rows there already: the same text, written once (the trigger fires on the texts).
BACKFILL = (
    "UPDATE cooperation_initiative SET search_admin = "
    + f"portal_unaccent(lower({ADMIN_TEXTS.replace('NEW.', '')}))"
)


class Migration(migrations.Migration):

    dependencies = [
        ('cooperation', '0017_former_slugs'),
    ]

    operations = [
        # Filling the column and building its index outlast a web request's timeout (the
        # migration is one transaction: SET LOCAL holds to its end).
        migrations.RunSQL("SET LOCAL statement_timeout = 0", migrations.RunSQL.noop),
        migrations.AddField(
            model_name='initiative',
            name='search_admin',
            field=models.TextField(default='', editable=False),
        ),
        migrations.RunSQL(index_function(True), index_function(False)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='initiative',
            index=models.Index(models.OrderBy(models.F('start_date'), descending=True, nulls_last=True), models.OrderBy(models.F('id'), descending=True), name='initiative_admin_order'),
        ),
        migrations.AddIndex(
            model_name='initiative',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_admin'], name='initiative_search_admin_trgm', opclasses=['gin_trgm_ops']),
        ),
        migrations.AddIndex(
            model_name='initiative',
            index=models.Index(condition=models.Q(('pk__in', []), ('pk__in', []), ('title_en__isnull', True), ('title_en__regex', '^\\s*$'), ('slug_en__isnull', True), ('slug_en__regex', '^\\s*$'), ('summary_en__isnull', True), ('summary_en__regex', '^\\s*$'), models.Q(models.Q(('location_en__isnull', True), ('location_en__regex', '^\\s*$'), _connector='OR'), models.Q(('location_fr__isnull', True), ('location_fr__regex', '^\\s*$'), _connector='OR', _negated=True)), models.Q(models.Q(('description_en__isnull', True), ('description_en__regex', '^\\s*$'), _connector='OR'), models.Q(('description_fr__isnull', True), ('description_fr__regex', '^\\s*$'), _connector='OR', _negated=True)), models.Q(models.Q(('note_en__isnull', True), ('note_en__regex', '^\\s*$'), _connector='OR'), models.Q(('note_fr__isnull', True), ('note_fr__regex', '^\\s*$'), _connector='OR', _negated=True)), ('pk__in', []), ('title_fr__isnull', True), ('title_fr__regex', '^\\s*$'), ('slug_fr__isnull', True), ('slug_fr__regex', '^\\s*$'), ('summary_fr__isnull', True), ('summary_fr__regex', '^\\s*$'), models.Q(models.Q(('location_fr__isnull', True), ('location_fr__regex', '^\\s*$'), _connector='OR'), models.Q(('location_en__isnull', True), ('location_en__regex', '^\\s*$'), _connector='OR', _negated=True)), models.Q(models.Q(('description_fr__isnull', True), ('description_fr__regex', '^\\s*$'), _connector='OR'), models.Q(('description_en__isnull', True), ('description_en__regex', '^\\s*$'), _connector='OR', _negated=True)), models.Q(models.Q(('note_fr__isnull', True), ('note_fr__regex', '^\\s*$'), _connector='OR'), models.Q(('note_en__isnull', True), ('note_en__regex', '^\\s*$'), _connector='OR', _negated=True)), _connector='OR'), fields=['id'], name='initiative_untranslated'),
        ),
        migrations.AddIndex(
            model_name='initiative',
            index=models.Index(condition=models.Q(('checked__isnull', True)), fields=['status'], name='initiative_unchecked'),
        ),
    ]
