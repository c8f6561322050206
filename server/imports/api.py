from ninja import Query, Router, Status

from server.core.paging import PageQuery
from server.imports import selectors
from server.imports.jobs import JOBS
from server.imports.linking import link_detail, link_remove, link_start
from server.imports.schemas import (
    ImportHistoryOut,
    ImportJobOut,
    ImportStartIn,
    ImportStartOut,
    LinkStatusOut,
    QuarantinedPageOut,
)

router = Router(tags=["Import"])


@router.post("/duckdb", response={202: ImportStartOut}, summary="Start importing a DuckDB file")
def start_import(request, body: ImportStartIn):
    """Checks the file at once (400 with the reason if it cannot be imported, 409 if an
    import is already running), then imports it in the background: poll the job."""
    job = JOBS.start(path=body.path)
    return Status(202, {"job_id": job.job_id})


@router.get("/jobs/{job_id}", response=ImportJobOut, summary="An import job's progress")
def job_status(request, job_id: int):
    """State, phase and rows done of a job; its report when done, its error when failed."""
    return JOBS.status(job_id)


@router.delete("/jobs/{job_id}", response=ImportJobOut, summary="Cancel an import job")
def cancel_job(request, job_id: int):
    """Stops a queued or running job: its child process ends and the database rolls the
    import back, so nothing of it is kept. Answers the job's final status (state
    "cancelled"); 409 if it has already ended or runs in another process."""
    return JOBS.cancel(job_id)


@router.get("/jobs/{job_id}/issues", response=QuarantinedPageOut, summary="Rows an import quarantined")
def job_issues(request, job_id: int, params: Query[PageQuery]):
    """The source rows the job could not store, verbatim, with the reason, by row number."""
    return selectors.import_issues(job_id=job_id, **params.dict())


@router.get("/history", response=ImportHistoryOut, summary="Past imports")
def history(request, params: Query[PageQuery]):
    """Every import, newest first: file, size, sha256, times, outcome and counts."""
    return selectors.import_history(**params.dict())


@router.get("/link", response=LinkStatusOut, summary="The linked DuckDB file")
def linked_file(request):
    """The DuckDB file the server follows (see link-duckdb), or null: its path, since
    when, its last sync and that sync's job, and the last problem with it."""
    return {"linked_source": link_detail()}


@router.post("/link", response={202: ImportStartOut}, summary="Link a DuckDB file")
def link_file(request, body: ImportStartIn):
    """Checks the file at once, then imports it as a sync job; once that has run, the
    server follows the file (replacing any earlier link) and syncs it whenever it
    changes. A file that is refused, or a sync that is cancelled, links nothing."""
    job = link_start(path=body.path)
    return Status(202, {"job_id": job.job_id})


@router.delete(
    "/link",
    response={204: None},
    summary="Stop following the linked file",
    openapi_extra={"responses": {404: {"description": "No DuckDB file is linked"}}},
)
def unlink_file(request):
    """The server stops syncing the file; its studies stay. 404 if none is linked."""
    link_remove()
    return Status(204, None)
