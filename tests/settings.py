"""Test settings: the real ones, pointed at a fresh temporary data folder.

Set before server.settings is imported, so a developer's own data folder (even one
named by IMAGING_DESK_DATA_DIR in their shell) is never touched by the tests.
"""

import os
import tempfile

os.environ["IMAGING_DESK_DATA_DIR"] = tempfile.mkdtemp(prefix="imaging-desk-test-")

from server.settings import *  # noqa: E402,F403
