"""Endpoints that combine several apps; mounted in server/api.py beside the apps' own."""

from django.http import HttpRequest
from ninja import Router, Status

from server.composition import selectors, services
from server.composition.schemas import DemoIn, HealthOut, StudyFullOut
from server.imports.schemas import ImportStartOut

health_router = Router(tags=["Service"])
studies_router = Router(tags=["Studies"])
imports_router = Router(tags=["Import"])


@health_router.get("/health", response=HealthOut, auth=None, summary="Health (no token needed)")
def health(request: HttpRequest):
    """Whether the server and its database answer, how many studies it holds, and
    the linked DuckDB file (if any) with the time of its last sync."""
    return selectors.health_status()


@studies_router.get(
    "/{exam_id}/full",
    response=StudyFullOut,
    by_alias=True,
    summary="A study's full record",
    openapi_extra={"responses": {404: {"description": "Study not found"}}},
)
def study_full(request, exam_id: str):
    """Every stored field: the ten contract fields, the four others, the source's
    unnamed columns, the study's reports and where its data came from."""
    return selectors.study_full(exam_id=exam_id)


@imports_router.post("/demo", response={202: ImportStartOut}, summary="Load demo data")
def load_demo_data(request, body: DemoIn):
    """Writes synthetic examinations and reports (never real patient data) to a DuckDB
    file in the data folder and imports it as an ordinary job: poll the job."""
    job = services.demo_import_start(rows=body.rows, seed=body.seed)
    return Status(202, {"job_id": job.job_id})
