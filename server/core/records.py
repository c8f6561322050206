"""The base of every model that holds rows of the clinic's source file (a study, a report)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import models

from server.clock import local_now
from server.core.fields import OrderedJSONField
from server.core.layout import SourceLayout


class SourceRecord(models.Model):
    """A row that comes from the clinic's source file.

    Besides its source columns it keeps the source's unnamed columns, a search text
    derived from its fields, and which imports stored and last changed it. Derived
    fields are computed by the domain app's derive function, called by every write
    (its services and the importer), never by save().
    """

    # Source columns the model does not name, so that an import never drops data.
    extra = OrderedJSONField(default=dict, blank=True)
    # Derived from the fields; never edited by hand.
    search_text = models.TextField(default="", editable=False)
    # Clinic wall-clock time, like every time the app shows.
    updated_at = models.DateTimeField(default=local_now)
    # The import runs (server/imports) that first stored and last changed the row:
    # plain numbers, so that the domain apps do not depend on the importer. Not
    # indexed: nothing looks rows up by import, and every index costs the importer a
    # write per row.
    first_import_id = models.BigIntegerField(null=True, blank=True)
    last_import_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


def source_columns(layout: SourceLayout, *, module: str, declared: tuple[str, ...] = ()) -> type[models.Model]:
    """An abstract model with a field per column of `layout` (see
    SourceLayout.model_fields), for a model to inherit beside SourceRecord."""
    meta = type("Meta", (), {"abstract": True})
    name = "".join(part.title() for part in layout.table.split("_")) + "Columns"
    return type(name, (models.Model,), {"__module__": module, "Meta": meta, **layout.model_fields(declared=declared)})


def derive_fields(
    record: SourceRecord, *, layout: SourceLayout, derive: Callable[..., dict], renamed: Mapping[str, str] = {}
) -> list[str]:
    """Set a record's derived columns from its source fields, as its app's derive
    function computes them; returns their names. `renamed` maps a source column to the
    attribute that holds it (a report's exam_id is its study_id)."""
    values = {name: getattr(record, renamed.get(name, name)) for name in layout.names}
    derived = derive(values=values)
    for name, value in derived.items():
        setattr(record, name, value)
    return list(derived)


def import_ids_as_plain_numbers(model_name: str) -> list:
    """The migration operations (studies' and reports' 0002) that turned the import-run
    foreign keys of an older schema into the plain numbers above, in the same columns,
    values kept. Written once for both apps; never change what they do."""
    from django.db import migrations

    operations = []
    for name in ("first_import", "last_import"):
        operations += [
            migrations.AlterField(
                model_name=model_name, name=name,
                field=models.BigIntegerField(blank=True, null=True, db_column=f"{name}_id"),
            ),
            migrations.RenameField(model_name=model_name, old_name=name, new_name=f"{name}_id"),
            migrations.AlterField(
                model_name=model_name, name=f"{name}_id", field=models.BigIntegerField(blank=True, null=True),
            ),
        ]
    return operations
