"""A test run keeps out of the data folder that the quick start's `treffpunkt serve` uses
(./treffpunkt-data, or TREFFPUNKT_DATA_DIR), which may be serving while the tests run."""

import os
from pathlib import Path

from tests import conftest


def test_the_test_run_keeps_out_of_the_servers_data_folder():
    server = conftest.server_data_dir
    assert server is not None
    # Where the test database's migration trains the spam model, among others.
    assert set(conftest.session_paths) == {"DATA_DIR", *conftest.DATA_DIR_SETTINGS}
    for name, path in conftest.session_paths.items():
        assert not path.resolve().is_relative_to(server.resolve()), name
    # Processes the tests start (`treffpunkt …`) get a folder of their own too.
    assert not Path(os.environ["TREFFPUNKT_DATA_DIR"]).resolve().is_relative_to(server.resolve())
