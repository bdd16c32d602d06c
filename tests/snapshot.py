"""The shipped content as a snapshot the tests restore in a few statements.

`load_content` runs once per session (tests/conftest.py) and its result is dumped; restoring
it then takes one INSERT per table instead of a save per record, with every value as stored
(the `modified` stamps too, which the loader compares), and the search index rebuilt."""

from collections import defaultdict
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction

from cooperation.models import Citation, rebuild_search_index


class ContentSnapshot:
    def __init__(self, path: Path):
        self.rows: dict[type, list] = defaultdict(list)  # in the dump's dependency order
        self.links: dict[tuple[type, str], list[tuple[int, int]]] = defaultdict(list)
        self.cited: dict[int, tuple[str, str]] = {}  # citation pk -> content type natural key
        with open(path, encoding="utf-8") as file:
            for item in serializers.deserialize("exact-json", file):
                record = item.object
                self.rows[type(record)].append(record)
                for name, pks in (item.m2m_data or {}).items():
                    self.links[type(record), name].extend((record.pk, pk) for pk in pks)
                if isinstance(record, Citation):
                    self.cited[record.pk] = ContentType.objects.get_for_id(
                        record.content_type_id
                    ).natural_key()

    def restore(self) -> None:
        """Insert every record and link into the current database (empty of content)."""
        with transaction.atomic():
            # Content types are made again, under new ids, after a transactional test.
            for citation in self.rows[Citation]:
                key = self.cited[citation.pk]
                citation.content_type_id = ContentType.objects.get_by_natural_key(*key).pk
            for model, records in self.rows.items():
                fields = model._meta.local_concrete_fields
                model._base_manager._insert(records, fields=fields, raw=True)
            for (model, name), pairs in self.links.items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                through.objects.bulk_create(
                    through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in pairs
                )
            models = [
                *self.rows,
                *(model._meta.get_field(name).remote_field.through for model, name in self.links),
            ]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
            rebuild_search_index()
