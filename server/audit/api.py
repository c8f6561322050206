from ninja import Query, Router

from server.audit import selectors
from server.audit.export import audit_export
from server.audit.schemas import AuditExportQuery, AuditListQuery, AuditOptionsOut, AuditPageOut

router = Router(tags=["Audit trail"])


@router.get("", response=AuditPageOut, summary="The audit trail")
def audit_list(request, params: Query[AuditListQuery]):
    """One page of what moved patient data in or out, newest first."""
    return selectors.audit_page(filters=params.to_filters(), page=params.page, page_size=params.page_size)


@router.get("/options", response=AuditOptionsOut, summary="Audit filter options")
def audit_options(request):
    """Every action an entry can have, and every user the trail names."""
    return selectors.audit_options()


@router.get(
    "/export",
    response={200: None},
    summary="Export the audit trail (CSV)",
    openapi_extra={
        "responses": {200: {"description": "Every matching entry, newest first", "content": {"text/csv": {}}}}
    },
)
def audit_export_csv(request, params: Query[AuditExportQuery]):
    """Every matching entry (not one page) as CSV; the export itself is recorded too."""
    return audit_export(
        filters=params.to_filters(), given_filters=params.given_filters(), filename=params.filename or None
    )
