"""The `gecrm` command line: every command answers `--help`, and start-up is quiet."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import execute_from_command_line, get_commands
from django.utils import translation

COMMANDS = sorted(get_commands())


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_prints_its_help(name, language, capsys):
    with translation.override(language), pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["gecrm", name, "--help"])
    assert exit_info.value.code in (0, None)
    out = capsys.readouterr().out
    assert f"gecrm {name}" in out


def test_our_commands_are_among_them():
    assert {"demo", "import", "export", "token", "billing", "kpi", "report", "team"} <= set(
        COMMANDS
    )


def test_start_up_warns_of_no_missing_static_directory(tmp_path):
    """Outside production WhiteNoise reads the apps' static files; `var/static/` (filled only by
    collectstatic) may be missing without a warning on every start."""
    env = {**os.environ, "GECRM_VAR_DIR": str(tmp_path), "PYTHONWARNINGS": "default"}
    env.pop("GECRM_ENV", None)
    load_the_site = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gecrm.settings'); "
        "from django.core.wsgi import get_wsgi_application; get_wsgi_application()"
    )
    for argv in (
        [sys.executable, "-c", load_the_site],
        [sys.executable, "-m", "gecrm.cli", "check"],
    ):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "No directory at" not in done.stderr + done.stdout
        assert not (tmp_path / "static").exists()


def test_the_gecrm_script_runs_commands_without_uv_on_the_path(tmp_path):
    """README: after `make demo`, `./gecrm …` works as printed, from any directory."""
    script = Path(__file__).resolve().parents[2] / "gecrm"
    assert os.access(script, os.X_OK)
    path = os.pathsep.join(
        d for d in os.environ["PATH"].split(os.pathsep) if not (Path(d) / "uv").exists()
    )
    done = subprocess.run(
        [str(script), "--help"],
        cwd=tmp_path,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "demo" in done.stdout and "token" in done.stdout
