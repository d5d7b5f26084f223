"""Usage mistakes (a bad option value, a missing argument, an unknown command) are one line."""

from __future__ import annotations

import pytest

from tests.db.helpers import invoke


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--k", "1"], "error: segments run: Invalid value for '--k': 1 is not in the range"),
        (["compare", "1"], "error: segments compare: Missing argument 'RUN_B'."),
        (["sample-data", "--customers", "abc"], "error: segments sample-data: Invalid value for '--customers'"),
        (["--bogus"], "error: segments: No such option '--bogus'"),
        (["nosuch"], "error: segments: No such command 'nosuch'"),
        (["db", "nosuch"], "error: segments db: No such command 'nosuch'"),
    ],
)
def test_usage_errors_are_one_line(args, says):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.output.startswith(says) and result.output.count("\n") == 1, result.output
    assert result.output.rstrip().endswith("--help')")


def test_a_directory_given_as_the_file_to_import(tmp_path):
    result = invoke("ingest", tmp_path)
    assert result.exit_code == 2 and result.output == (
        f"error: segments ingest: Invalid value for 'PATH': File '{tmp_path}' is a directory. "
        "(see 'segments ingest --help')\n"
    )


def test_a_group_without_its_command_still_shows_its_help():
    result = invoke("users")
    assert "Commands:" in result.output and "add" in result.output


def test_ctrl_c_while_the_libraries_load_is_one_word_not_their_traceback(monkeypatch, capsys):
    # The command's modules (SQLAlchemy, Arrow) load inside main(): a Ctrl-C there, as from
    # the shell in the first second, was a KeyboardInterrupt traceback of the import.
    import builtins

    from webapp import cli

    real_import = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "webapp.cli.common":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 1 and capsys.readouterr().err == "Aborted!\n"


def test_python_dash_m_runs_the_command():
    # `python -m webapp.cli` was "No module named webapp.cli.__main__".
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Customer segmentation (RFM, K-Means)" in done.stdout and "trends" in done.stdout
