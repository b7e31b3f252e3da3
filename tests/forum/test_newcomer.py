"""The newcomer's path: ``benchmarks/load.py --help`` works, no kombu "No hostname was
supplied" warning without Redis, the README names HUZHU_HOST / HUZHU_PORT, and
``scripts/run`` installs only when pyproject.toml changed."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_benchmark_help_prints_and_exits_0():
    done = subprocess.run([sys.executable, "benchmarks/load.py", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--retries" in done.stdout and "% of the CPUs" in done.stdout


def test_no_kombu_hostname_warning_without_redis(app, caplog):
    from forum.extensions import celery_app

    assert app.config.get("REDIS_URL") is None
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        with celery_app.connection_for_write() as connection:
            connection.info()
    assert "No hostname was supplied" not in caplog.text


def test_readme_names_host_and_port():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`HUZHU_HOST`" in readme and "`HUZHU_PORT`" in readme


def test_scripts_run_installs_only_when_pyproject_changed():
    script = (ROOT / "scripts" / "run").read_text(encoding="utf-8")
    assert "--upgrade pip" not in script.split('"$PYTHON" -m venv .venv', 1)[1].split("fi", 1)[1]
    assert "sha256sum pyproject.toml" in script and ".huzhu-installed" in script
