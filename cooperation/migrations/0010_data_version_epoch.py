"""The data version's epoch: a random value made anew whenever the version row is (re)created,
so that cache keys never repeat (cooperation/caching.py, data_version())."""

import django.contrib.postgres.functions
from django.db import migrations, models

NEW_EPOCH = [
    """
    CREATE OR REPLACE FUNCTION cooperation_new_data_epoch() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN NEW.epoch := gen_random_uuid(); RETURN NEW; END $$
    """,
    # Even a row copied back with its old epoch (a data-only restore) gets a new one.
    """
    CREATE TRIGGER cooperation_dataversion_new_epoch BEFORE INSERT ON cooperation_dataversion
    FOR EACH ROW EXECUTE FUNCTION cooperation_new_data_epoch()
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS cooperation_dataversion_new_epoch ON cooperation_dataversion",
    "DROP FUNCTION IF EXISTS cooperation_new_data_epoch()",
]


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0009_one_engine")]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="epoch",
            field=models.UUIDField(
                db_default=django.contrib.postgres.functions.RandomUUID(), editable=False
            ),
        ),
        migrations.RunSQL(NEW_EPOCH, DROP),
    ]
