import json
import re

from click.testing import CliRunner
from sqlalchemy import text

from webapp.cli import cli


def run(*args, env=None, input=None):
    return CliRunner().invoke(cli, list(args), env=env, input=input)


def test_users_add_list_remove(db_url):
    added = run("users", "add", "alice", "--db", db_url, env={"SEGMENTS_USER_PASSWORD": "password-1"})
    assert added.exit_code == 0, added.output
    assert "user alice added" in added.output
    prompted = run(
        "users",
        "add",
        "bob",
        "--db",
        db_url,
        input="password-2\npassword-2\n",
        env={"SEGMENTS_USER_PASSWORD": None},  # unset: asked
    )
    assert prompted.exit_code == 0, prompted.output
    listed = run("users", "list", "--json", "--db", db_url)
    assert [u["username"] for u in json.loads(listed.output)["users"]] == ["alice", "bob"]
    assert re.fullmatch(r"alice\tadded \d{4}-\d\d-\d\d \d\d:\d\d UTC", run("users", "list", "--db", db_url).output.splitlines()[0])
    assert run("users", "remove", "alice", "--db", db_url).exit_code == 0
    last = run("users", "remove", "bob", "--db", db_url)
    assert last.output == (
        "user bob removed; no users left: served on localhost the dashboard is open again; one "
        "already running on a network address keeps requiring a login and answers 503 until a "
        "user is added, and a new 'segments serve' there refuses to start without one\n"
    )  # was: "refuses every request", yet a new serve there does not even start
    assert "no users" in run("users", "list", "--db", db_url).output


def test_users_errors_are_one_line_exit_2(db_url):
    env = {"SEGMENTS_USER_PASSWORD": "password-1"}
    assert run("users", "add", "alice", "--db", db_url, env=env).exit_code == 0
    again = run("users", "add", "alice", "--db", db_url, env=env)
    assert again.exit_code == 2 and again.output == "error: user 'alice' already exists\n"
    short = run("users", "add", "bob", "--db", db_url, env={"SEGMENTS_USER_PASSWORD": "short"})
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    # Set but empty: refused at once (was: a prompt with no terminal, then "no password given").
    empty = run("users", "add", "bob", "--db", db_url, env={"SEGMENTS_USER_PASSWORD": ""}, input="")
    assert empty.exit_code == 2
    assert empty.output == "error: SEGMENTS_USER_PASSWORD is empty: set it to the password, or unset it to be asked\n"
    missing = run("users", "remove", "zed", "--db", db_url)
    assert missing.exit_code == 2 and missing.output == "error: no user named 'zed'\n"


def test_users_add_refuses_a_short_password_before_creating_the_database(tmp_path):
    # Was: refused, yet the new SQLite file was left behind.
    target = tmp_path / "u2.db"
    short = run("users", "add", "zed2", "--db", f"sqlite:///{target}", env={"SEGMENTS_USER_PASSWORD": "short"})
    assert short.exit_code == 2 and short.output == "error: password must be at least 8 characters\n"
    assert list(tmp_path.iterdir()) == []


def test_users_remove_finds_a_name_in_any_case(db_url, engine):
    # Was: add refused "Alice" as alice's name, yet remove ALICE found no user.
    env = {"SEGMENTS_USER_PASSWORD": "password-1"}
    assert run("users", "add", "alice", "--db", db_url, env=env).exit_code == 0
    assert run("users", "add", "bob", "--db", db_url, env=env).exit_code == 0
    removed = run("users", "remove", "ALICE", "--db", db_url)
    assert removed.exit_code == 0 and removed.output == "user alice removed\n"
    listed = json.loads(run("users", "list", "--json", "--db", db_url).output)["users"]
    assert [u["username"] for u in listed] == ["bob"]
    # Two names alike, stored before add refused them: the exact one, else say which.
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET username = 'Bob' WHERE username = 'bob'"))
    assert run("users", "add", "bob", "--db", db_url, env=env).exit_code == 2
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (username, password_hash, created_at) SELECT 'bob', password_hash, created_at FROM users"))
    unsure = run("users", "remove", "BOB", "--db", db_url)
    assert unsure.exit_code == 2 and unsure.output == "error: no user named 'BOB'; did you mean 'Bob' or 'bob'?\n"
    assert run("users", "remove", "Bob", "--db", db_url).output == "user Bob removed\n"


def test_prompt_requires_matching_passwords(db_url):
    result = run(
        "users",
        "add",
        "carol",
        "--db",
        db_url,
        input="password-1\npassword-X\npassword-3\npassword-3\n",
        env={"SEGMENTS_USER_PASSWORD": None},
    )
    assert result.exit_code == 0
    assert "do not match" in result.output


def test_users_add_refuses_a_bad_name_before_asking_and_no_password_in_one_line(db_url):
    bad = run("users", "add", "bad name", "--db", db_url, input="", env={"SEGMENTS_USER_PASSWORD": ""})
    assert bad.exit_code == 2 and bad.output.startswith("error: user name must be") and "Password" not in bad.output
    none = run("users", "add", "dave", "--db", db_url, input="", env={"SEGMENTS_USER_PASSWORD": None})
    assert none.exit_code == 2
    assert "error: no password given: set SEGMENTS_USER_PASSWORD, or type it when asked\n" in none.output
    assert "Aborted" not in none.output


def test_serve_and_demo_refuse_a_port_in_use_before_anything_else(db_url):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args in (["serve", "--port", port], ["demo", "--port", port, "--customers", "50"]):
            result = run(*args, "--db", db_url)
            assert result.exit_code == 2, result.output
            assert result.output == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    unknown = run("serve", "--host", "no.such.host.invalid", "--no-auth", "--db", db_url)
    assert unknown.exit_code == 2 and unknown.output.startswith("error: cannot listen on no.such.host.invalid:8050")
    assert run("users", "add", "ann", "--db", db_url, env={"SEGMENTS_USER_PASSWORD": "correct horse"}).exit_code == 0
    # With users and no secret key: the bad address is named first (was: SEGMENTS_SECRET_KEY).
    bad = run("serve", "--host", "999.1.1.1", "--db", db_url, env={"SEGMENTS_SECRET_KEY": None})
    assert bad.exit_code == 2 and bad.output.startswith("error: cannot listen on 999.1.1.1:8050"), bad.output
    empty = run("serve", "--host", " ", "--db", db_url)
    assert empty.output == "error: --host is empty: give an address to listen on, such as 127.0.0.1\n"
