from ninja import Query, Router

from server.core.paging import PageQuery
from server.studies import selectors
from server.studies.export import study_export
from server.studies.schemas import (
    ExportQuery,
    FilterOptionsOut,
    RelatedStudiesOut,
    StudyFilterQuery,
    StudyOut,
    StudySearchOut,
    StudySearchQuery,
    StudyStatisticsOut,
)
from server.studies.statistics import study_statistics

router = Router(tags=["Studies"])


@router.get("/search", response=StudySearchOut, summary="Search studies")
def search_studies(request, params: Query[StudySearchQuery]):
    """One page of matching studies, newest order first, with the filter options."""
    return selectors.study_search(
        filters=params.to_filters(), sort=params.sort, page=params.page, page_size=params.page_size
    )


# Registered before /{exam_id} so that these names are not taken for exam IDs.
@router.get("/filters/options", response=FilterOptionsOut, summary="Filter options")
def filter_options(request):
    """Every non-empty status, source and item over all studies, sorted."""
    return selectors.study_filter_options()


@router.get("/statistics", response=StudyStatisticsOut, summary="Clinic statistics")
def statistics(request, params: Query[StudyFilterQuery]):
    """Volumes and turnaround for the studies the search's filters select."""
    return study_statistics(filters=params.to_filters())


@router.get(
    "/export",
    response={200: None},
    summary="Export studies (CSV or XLSX)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, every matching study in the search's order, 14 source columns",
                "content": {
                    "text/csv": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                },
            }
        }
    },
)
def export(request, params: Query[ExportQuery]):
    """Every matching study (not one page), streamed as a file to save; recorded in the
    audit trail once the file has been sent (or cut off), with `filename`."""
    return study_export(
        filters=params.to_filters(), sort=params.sort, format=params.format,
        filename=params.filename or None, given_filters=params.given_filters(),
    )


@router.get(
    "/{exam_id}",
    response=StudyOut,
    summary="One study",
    openapi_extra={"responses": {404: {"description": "Study not found"}}},
)
def study_detail(request, exam_id: str):
    """The study's ten contract fields, as in the search results."""
    return selectors.study_detail(exam_id=exam_id)


@router.get(
    "/{exam_id}/related",
    response=RelatedStudiesOut,
    summary="The patient's other studies",
    openapi_extra={"responses": {404: {"description": "Study not found"}}},
)
def study_related(request, exam_id: str, params: Query[PageQuery]):
    """The same patient's other studies, newest first: by medical record number, or by
    name and age for a study without one (`matched_by` says which; null: neither)."""
    return selectors.study_related(exam_id=exam_id, page=params.page, page_size=params.page_size)
