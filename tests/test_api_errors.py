"""Every error becomes HTTP in one place (server/api.py), always as {"detail": ...}."""

import json

import pytest
from django.test import RequestFactory
from ninja.errors import AuthorizationError, HttpError, Throttled

from server.api import api
from server.core.errors import DomainError, InvalidParameter, NotFound


@pytest.mark.parametrize(
    "error,status,detail",
    [
        (InvalidParameter("page", "must be > 0"), 400, "Invalid parameter: page must be > 0"),
        (NotFound("Study not found"), 404, "Study not found"),
        (DomainError("Refused"), 400, "Refused"),
        (HttpError(413, "Too large"), 413, "Too large"),
        (AuthorizationError(), 403, "Forbidden"),
        (Throttled(5), 429, "Too many requests."),
        (RuntimeError("internal detail"), 500, "Internal server error"),
    ],
)
def test_each_error_answers_its_status_with_the_one_error_shape(error, status, detail):
    request = RequestFactory().get("/api/v1/studies/search")
    response = api.on_exception(request, error)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": detail}

