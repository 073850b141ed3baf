"""Experiment: both serialize_posts.py and fast_stream.py."""

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent
runpy.run_path(str(HERE / "serialize_posts.py"))
runpy.run_path(str(HERE / "fast_stream.py"))
