"""The historical models are made by django-simple-history, registered in
cooperation/translation.py (after django-modeltranslation has added the `_en`/`_fr` fields, so
every version holds both languages): see `curation.history.TRACKED`."""
