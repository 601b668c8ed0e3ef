"""Test support for host stores and PostgreSQL.

:func:`check_key_value_store` runs the core's key-value store conformance
suite (the one contract a host store implements, see
:class:`~creatorsync.KeyValueStore`) against a Python object, through the
bridge the client uses, with tokio tasks racing the compare-and-swap
rounds::

    await check_key_value_store(lambda: MyMongoKeyValueStore(fresh_collection()))

:func:`create_postgres_database` / :func:`drop_postgres_database` give a
test its own empty PostgreSQL database (no Python database driver needed)::

    url = await create_postgres_database(server_url, "cs_test_1")
    sync = CreatorSync(state_secret=..., postgres={"url": url, "key": key_b64})
    ...
    await drop_postgres_database(server_url, "cs_test_1")

:func:`sample_mp4` makes a valid MP4 container of a chosen duration, size,
frame rate and ``moov`` position, for tests of :func:`~creatorsync.probe`
and the media rules.
"""

from __future__ import annotations

from ._native import (
    check_key_value_store,
    create_postgres_database,
    drop_postgres_database,
    sample_mp4,
)

__all__ = [
    "check_key_value_store",
    "create_postgres_database",
    "drop_postgres_database",
    "sample_mp4",
]
