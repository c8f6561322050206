"""The /api/v1 API: every router is mounted here, and every error becomes HTTP here."""

from __future__ import annotations

import logging

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, OperationalError, connection
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from server import __version__
from server.analysis.api import router as analysis_router
from server.audit.api import router as audit_router
from server.backups.api import router as backups_router
from server.composition.api import health_router
from server.composition.api import imports_router as composed_imports_router
from server.composition.api import studies_router as composed_studies_router
from server.configuration.api import router as configuration_router
from server.core.api import router as core_router
from server.core.auth import LocalAuth
from server.core.errors import DomainError
from server.core.openapi import true_document
from server.core.renderers import ContractJSONRenderer
from server.core.responses import error_response
from server.core.views import bad_request
from server.imports.api import router as imports_router
from server.reports.api import router as reports_router
from server.studies.api import router as studies_router

logger = logging.getLogger("imaging_desk.api")


class ImagingDeskAPI(NinjaAPI):
    # What the OpenAPI document cannot learn from the routes (server/core/openapi.py):
    # which operations can be refused with 409 (an import under way, a job that has
    # ended), and which never read the database, so never answer 503.
    REFUSED_AS_BUSY = {
        "POST /api/v1/import/duckdb", "POST /api/v1/import/link", "POST /api/v1/import/demo",
        "DELETE /api/v1/import/jobs/{job_id}", "POST /api/v1/backups",
        "PUT /api/v1/settings/database", "DELETE /api/v1/settings/database",  # set by the environment
    }
    WITHOUT_DATABASE = {
        "GET /api/v1/auth/me", "POST /api/v1/auth/login-links", "GET /api/v1/analysis/options",
        "GET /api/v1/preferences", "PUT /api/v1/preferences",
        "GET /api/v1/settings/database", "POST /api/v1/settings/database/test",
    }

    def get_content_type(self) -> str:
        return ContractJSONRenderer.media_type

    def get_openapi_schema(self, **kwargs) -> OpenAPISchema:
        """The generated document, with the datetimes, text and errors as the server has them."""
        return true_document(
            super().get_openapi_schema(**kwargs),
            busy=self.REFUSED_AS_BUSY,
            without_database=self.WITHOUT_DATABASE,
        )


api = ImagingDeskAPI(
    title="Imaging Desk API",
    version=__version__,
    description=(
        "The local API of Imaging Desk. Every endpoint but /health needs "
        "`Authorization: Bearer <token>` (print the token with `imaging-desk token`) "
        "or the app's session cookie. See API_CONTRACT.md for exact responses."
    ),
    renderer=ContractJSONRenderer(),
    auth=LocalAuth(),
    urls_namespace="api-v1",
    # Swagger UI's files ship with Django Ninja; no validator badge phoning out either.
    docs=Swagger(settings={"validatorUrl": None}),
)

api.add_router("/", health_router)
api.add_router("/", core_router)
api.add_router("/studies", studies_router)
api.add_router("/studies", composed_studies_router)  # a study's full record
api.add_router("/reports", reports_router)
api.add_router("/analysis", analysis_router)
api.add_router("/import", imports_router)
api.add_router("/import", composed_imports_router)  # demo data, imported as a job
api.add_router("/audit", audit_router)
api.add_router("/", backups_router)  # /backups and /integrity
api.add_router("/settings", configuration_router)  # the database, chosen from the app

# The handlers below take the place of Django Ninja's defaults for the same errors;
# any other default it registers stays, answering {"detail": ...} with its status.


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return error_response(exc.status_code, exc.detail)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request, exc):
    return error_response(401, "Not authenticated")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = list(first.get("loc", ()))
    # loc is (source, [argument name for bodies,] field...): name the field a client sent.
    if loc[:1] == ["body"] and len(loc) > 2:
        loc = loc[2:]
    elif loc:
        loc = loc[1:]
    name = ".".join(str(part) for part in loc) or "request body"
    kind = first.get("type", "")
    if kind == "missing":
        problem = "is required"
    elif kind.startswith("int_"):
        problem = "must be an integer"
    else:
        problem = f"is invalid: {first.get('msg', 'unexpected value')}"
    return error_response(400, f"Invalid parameter: {name} {problem}")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, "Not Found")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc: SuspiciousOperation):
    # Raised lazily, where the API first reads request.GET or request.body: more than
    # DATA_UPLOAD_MAX_NUMBER_FIELDS parameters (400), a body over
    # DATA_UPLOAD_MAX_MEMORY_SIZE (413). The same answers as outside the API.
    return bad_request(request, exc)


@api.exception_handler(OperationalError)
def _database_unavailable(request, exc):
    message = str(exc).lower()
    if connection.vendor == "postgresql" or "locked" in message or "busy" in message:
        logger.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        return error_response(503, "The database is busy or unavailable; try again shortly")
    return _unexpected(request, exc)  # e.g. a schema that does not match the code


@api.exception_handler(Exception)
def _unexpected(request, exc):
    # The traceback goes to the log file only; the client never sees internals.
    logger.exception("unhandled error on %s %s", request.method, request.path)
    if isinstance(exc, DatabaseError):
        return error_response(500, "Internal server error (database)")
    return error_response(500, "Internal server error")
