"""Test settings: the real ones, pointed at a fresh temporary data folder.

Set before server.settings is imported, so a developer's own data folder (even one
named by IMAGING_DESK_DATA_DIR in their shell) is never touched by the tests.
"""

import os
import tempfile

os.environ["IMAGING_DESK_DATA_DIR"] = tempfile.mkdtemp(prefix="imaging-desk-test-")

from server.settings import *  # noqa: E402,F403

# A file, not SQLite's in-memory database: the analysis workers and import jobs run
# on threads with their own connections, which must see committed data and wait on
# locks (WAL and the busy timeout) exactly as in production.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["IMAGING_DESK_DATA_DIR"], "test.sqlite3")}  # noqa: F405
else:
    # A name of its own, so that two test runs on one PostgreSQL server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_imaging_desk_{os.getpid()}"}  # noqa: F405
