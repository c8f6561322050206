"""Parts of the import engine (server/imports/engine.py) on their own."""

import pytest

from server.imports.engine import LOOKUP_CHUNK, in_chunks


@pytest.mark.parametrize(
    "count,sizes",
    [(0, []), (1, [1]), (LOOKUP_CHUNK, [LOOKUP_CHUNK]), (LOOKUP_CHUNK + 1, [LOOKUP_CHUNK, 1]),
     (2 * LOOKUP_CHUNK + 5, [LOOKUP_CHUNK, LOOKUP_CHUNK, 5])],
)
def test_keys_are_looked_up_in_chunks_that_fit_one_query(count, sizes):
    keys = [f"K{i}" for i in range(count)]
    chunks = list(in_chunks(keys))
    assert [len(c) for c in chunks] == sizes
    assert [k for chunk in chunks for k in chunk] == keys


def test_a_set_of_keys_is_chunked_whole():
    keys = {f"K{i}" for i in range(LOOKUP_CHUNK + 3)}
    assert {k for chunk in in_chunks(keys) for k in chunk} == keys
