"""Model fields shared by the apps."""

import json

from django.db import models


class OrderedJSONField(models.JSONField):
    """JSON kept as written. PostgreSQL's jsonb would re-sort keys (a study's extra
    columns, a quarantined row's columns, a report's fields) and refuses \u0000;
    its json type keeps the text as it was given."""

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        from psycopg.types.json import Json  # sent as json: a jsonb cast would re-sort keys

        return Json(value, dumps=lambda v: json.dumps(v, cls=self.encoder, ensure_ascii=False))

    def from_db_value(self, value, expression, connection):
        # psycopg decodes json (unlike jsonb, which Django asks for as text) itself.
        if value is not None and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)
