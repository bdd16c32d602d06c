"""Backup and restore: every record comes back, in both languages, byte for byte."""

import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from cooperation.models import DataVersion, Initiative, InitiativeParticipant
from tests.factories import make_initiative, make_organization

pytestmark = pytest.mark.django_db(transaction=True)

TRICKY = 'Énergie « propre » — 수소 협력 🇨🇦🇰🇷 "quoted" <b>&amp;</b>\nsecond line\ttab  '


def snapshot() -> dict:
    """Every row of every backed-up table, every column, in primary-key order."""
    tables = {}
    models = [
        m
        for m in apps.get_app_config("cooperation").get_models(include_auto_created=True)
        if m is not DataVersion
    ]
    for model in models:
        rows = [
            {k: v for k, v in row.items() if not k.startswith("search_vector")}
            for row in model.objects.order_by("pk").values()
        ]
        if model._meta.auto_created:  # a many-to-many link: its own row id is not data
            rows = sorted(tuple(sorted((k, v) for k, v in r.items() if k != "id")) for r in rows)
        tables[model._meta.label] = rows
    # Groups and accounts are identified by name (natural keys), not by row id.
    tables["groups"] = {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    tables["users"] = {
        user["username"]: {k: v for k, v in user.items() if k != "id"}
        for user in User.objects.values()
    }
    tables["memberships"] = sorted(
        User.groups.through.objects.values_list("user__username", "group__name")
    )
    return tables


def assert_same(after: dict, before: dict) -> None:
    """Table by table, row by row, naming the first column that differs."""
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        if isinstance(rows, dict):
            rows, restored = list(rows.items()), list(after[table].items())
        else:
            restored = after[table]
        for old, new in zip(rows, restored, strict=True):
            if old != new and isinstance(old, dict):
                changed = {k: (old[k], new.get(k)) for k in old if old[k] != new.get(k)}
                raise AssertionError(f"{table}: {changed}")
            assert old == new, table


def test_a_backup_restores_every_record_unchanged(tmp_path, django_user_model, shipped_content):
    draft = make_initiative(
        published=False, title_en=TRICKY, title_fr=TRICKY[::-1], description_fr=TRICKY
    )
    InitiativeParticipant.objects.create(
        initiative=draft, organization=make_organization(name_ko="한국전력공사"), role="lead"
    )
    django_user_model.objects.create_user("curator", password="pw-curator-1", is_staff=True)
    before = snapshot()
    assert len(before["cooperation.Initiative"]) >= 21

    path = tmp_path / "backup.json"
    call_command("backup", str(path), verbosity=0)
    titles = [row["fields"].get("title_en") for row in json.loads(path.read_text("utf-8"))]
    assert TRICKY in titles, (
        len(titles),
        Initiative.objects.count(),
        path.read_text("utf-8")[:300],
    )
    assert "수소 협력" in path.read_text(encoding="utf-8")  # written as UTF-8, not escaped

    call_command("restore", str(path), replace=True, verbosity=0)
    assert_same(snapshot(), before)

    # Into a database emptied of records, as after a fresh `migrate`:
    for model in reversed(list(apps.get_app_config("cooperation").get_models())):
        if model is not DataVersion:
            model.objects.all().delete()
    call_command("restore", str(path), verbosity=0)
    assert_same(snapshot(), before)
    # The search index is rebuilt: a restored record is found.
    assert Initiative.objects.search("second line", "en").filter(pk=draft.pk).exists()


def test_restore_refuses_to_mix_with_existing_records(tmp_path):
    path = tmp_path / "backup.json"
    call_command("backup", str(path), verbosity=0)
    make_initiative()
    with pytest.raises(CommandError, match="already holds"):
        call_command("restore", str(path), verbosity=0)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a backup file"):
        call_command("restore", str(path), verbosity=0)
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.json"), verbosity=0)


def test_restore_with_replace_keeps_the_accounts_that_are_not_in_the_file(
    tmp_path, django_user_model
):
    django_user_model.objects.create_user("in-the-file", password="pw-one-1", is_staff=True)
    path = tmp_path / "backup.json"
    call_command("backup", str(path), verbosity=0)
    django_user_model.objects.filter(username="in-the-file").update(first_name="Changed")
    django_user_model.objects.create_user("joined-since", password="pw-two-2", is_staff=True)
    call_command("restore", str(path), replace=True, verbosity=0)
    assert django_user_model.objects.filter(username="joined-since").exists()
    assert django_user_model.objects.get(username="in-the-file").first_name == ""
