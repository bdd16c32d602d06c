"""The JSON format of `manage.py backup`: Django's, but with times to the microsecond.

Django's JSON encoder cuts datetimes to milliseconds, so a restore would not give back the
`modified` stamps exactly (and the loader compares them to tell staff edits apart). This
format writes full ISO 8601 times; `loaddata` reads it as ordinary JSON.
"""

import datetime

from django.core.serializers import json as django_json


class ExactEncoder(django_json.DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder


Deserializer = django_json.Deserializer
