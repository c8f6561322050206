"""The clinic's examinations table, as its DuckDB file holds it: the one definition
of its 14 columns, in source order. The Study model's source fields, the importer, the
export, the demo data and the tests are built from it."""

from server.core.layout import DATETIME, INTEGER, TEXT, SourceColumn, SourceLayout

STUDY_LAYOUT = SourceLayout(
    table="medical_examinations_fact",
    key="exam_id",
    columns=(
        SourceColumn("exam_id", TEXT, required=True),
        SourceColumn("medical_record_no", TEXT),
        SourceColumn("application_order_no", TEXT),
        SourceColumn("patient_name", TEXT),
        SourceColumn("patient_gender", TEXT),
        SourceColumn("patient_age", INTEGER),
        SourceColumn("exam_status", TEXT),
        SourceColumn("exam_source", TEXT),
        SourceColumn("exam_item", TEXT),
        SourceColumn("exam_description", TEXT),
        SourceColumn("order_datetime", DATETIME, required=True),
        SourceColumn("check_in_datetime", DATETIME),
        SourceColumn("report_certification_datetime", DATETIME),
        SourceColumn("certified_physician", TEXT),
    ),
)
