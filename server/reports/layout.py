"""The clinic's optional reports table, as its DuckDB file holds it: the one
definition of its six columns, in source order."""

from server.core.layout import DATETIME, TEXT, SourceColumn, SourceLayout

REPORT_LAYOUT = SourceLayout(
    table="reports",
    key="report_id",
    columns=(
        SourceColumn("report_id", TEXT, required=True),
        SourceColumn("exam_id", TEXT),  # the study's, kept even when no such study is stored
        SourceColumn("findings", TEXT),
        SourceColumn("radiologist", TEXT),
        SourceColumn("created_at", DATETIME),  # as the source gave it
        SourceColumn("status", TEXT),
    ),
)
