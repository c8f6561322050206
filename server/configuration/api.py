from pathlib import Path

from django.conf import settings
from ninja import Router

from server.configuration.connecting import database_test, target_from
from server.configuration.schemas import DatabaseConnectIn, DatabaseSettingsOut, DatabaseTestOut
from server.configuration.selectors import database_settings_view
from server.configuration.services import database_choose, database_choose_local

router = Router(tags=["Settings"])


def _target(body: DatabaseConnectIn):
    return target_from(url=body.url, host=body.host, port=body.port, database=body.database, user=body.user,
                       password=body.password)


@router.get("/database", response=DatabaseSettingsOut, summary="The database in use")
def database_settings(request):
    """The database this server uses now (the SQLite file, or the PostgreSQL server,
    port, database and user; never a password), where that comes from, and what the
    next start uses."""
    return database_settings_view(data_dir=Path(settings.DATA_DIR))


@router.post("/database/test", response=DatabaseTestOut, summary="Try a PostgreSQL database")
def database_try(request, body: DatabaseConnectIn):
    """Connects as Imaging Desk would and says in words what it found: whether it
    answers, takes the password, has the database, lets the user create the tables (or
    has them), and how many studies it holds. Nothing is stored."""
    return database_test(_target(body)).as_dict()


@router.put("/database", response=DatabaseSettingsOut, summary="Use a PostgreSQL database from the next start")
def database_put(request, body: DatabaseConnectIn):
    """Tries the database first (400 with the words when it cannot be used), then keeps
    its URL in settings.json for the next start and records the change in the audit
    trail. 409 when IMAGING_DESK_DATABASE_URL sets the database."""
    return database_choose(data_dir=Path(settings.DATA_DIR), target=_target(body))


@router.delete("/database", response=DatabaseSettingsOut, summary="Use this PC's own database from the next start")
def database_delete(request):
    """Removes the database URL from settings.json: the next start uses this PC's own
    SQLite file again. 409 when IMAGING_DESK_DATABASE_URL sets the database."""
    return database_choose_local(data_dir=Path(settings.DATA_DIR))
