from ninja import Query, Router

from server.reports import selectors
from server.reports.schemas import ReportOut, ReportSearchOut, ReportSearchQuery

router = Router(tags=["Reports"])


@router.get("/search", response=ReportSearchOut, summary="Search reports")
def search_reports(request, params: Query[ReportSearchQuery]):
    """One page of matching reports, newest first, with the report statuses."""
    return selectors.report_search(filters=params.to_filters(), page=params.page, page_size=params.page_size)


@router.get(
    "/{report_id}",
    response=ReportOut,
    summary="One report",
    openapi_extra={"responses": {404: {"description": "Report not found"}}},
)
def report_detail(request, report_id: str):
    """The report's eight fields, as in the search results."""
    return selectors.report_detail(report_id=report_id)
