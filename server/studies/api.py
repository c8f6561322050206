from ninja import Query, Router

from server.studies import selectors
from server.studies.schemas import FilterOptionsOut, StudyOut, StudySearchOut, StudySearchQuery

router = Router(tags=["Studies"])


@router.get("/search", response=StudySearchOut, summary="Search studies")
def search_studies(request, params: Query[StudySearchQuery]):
    """One page of matching studies, newest order first, with the filter options."""
    return selectors.study_search(**params.dict())


# Registered before /{exam_id} so that "filters" is not taken for an exam ID.
@router.get("/filters/options", response=FilterOptionsOut, summary="Filter options")
def filter_options(request):
    """Every non-empty status, source and item over all studies, sorted."""
    return selectors.study_filter_options()


@router.get(
    "/{exam_id}",
    response=StudyOut,
    summary="One study",
    openapi_extra={"responses": {404: {"description": "Study not found"}}},
)
def study_detail(request, exam_id: str):
    """The study's ten contract fields, as in the search results."""
    return selectors.study_detail(exam_id=exam_id)
