"""What the parser knows about programs: wrappers to peel, interpreters, options that run code."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# Directories whose programs are known by their base name: `/usr/bin/rm` is `rm`, `./rm` is not.
SYSTEM_BIN_DIRS = frozenset(
    {"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"}
)


@dataclass(frozen=True)
class Wrapper:
    """A program that runs another command given after its own options.

    `valued` options take the next word (or `=value`/attached value); `flags` take none;
    `positional` is how many non-option words come before the command (`timeout 5 CMD`);
    `assignments` lets `NAME=VALUE` words through (`env`); `queries` are first options
    that make it run nothing (`command -v ls`): the part is then the wrapper itself.
    `signal` is added to the part (`privilege` for sudo). An option in neither set makes
    the part opaque: the parser cannot tell where the command starts.
    """

    valued: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    positional: int = 0
    assignments: bool = False
    signal: str | None = None
    opaque_options: frozenset[str] = frozenset()
    queries: frozenset[str] = frozenset()


def _fs(*words: str) -> frozenset[str]:
    return frozenset(words)


WRAPPERS: dict[str, Wrapper] = {
    "env": Wrapper(
        valued=_fs("-u", "--unset", "-C", "--chdir"),
        flags=_fs("-i", "--ignore-environment", "-0", "--null", "-", "-v", "--debug"),
        assignments=True,
    ),
    "command": Wrapper(flags=_fs("-p"), queries=_fs("-v", "-V")),
    "builtin": Wrapper(),
    "exec": Wrapper(valued=_fs("-a"), flags=_fs("-c", "-l")),
    "nice": Wrapper(valued=_fs("-n", "--adjustment")),
    "nohup": Wrapper(),
    "time": Wrapper(valued=_fs("-o", "--output", "-f", "--format"), flags=_fs("-p", "-a", "-v")),
    "timeout": Wrapper(
        valued=_fs("-s", "--signal", "-k", "--kill-after"),
        flags=_fs("--preserve-status", "--foreground", "-v", "--verbose"),
        positional=1,
    ),
    "stdbuf": Wrapper(valued=_fs("-i", "-o", "-e", "--input", "--output", "--error")),
    "ionice": Wrapper(valued=_fs("-c", "--class", "-n", "--classdata"), flags=_fs("-t")),
    "setsid": Wrapper(flags=_fs("-c", "-f", "-w", "--ctty", "--fork", "--wait")),
    "chronic": Wrapper(flags=_fs("-e", "-v")),
    "unbuffer": Wrapper(flags=_fs("-p")),
    "sudo": Wrapper(
        valued=_fs(
            "-u",
            "--user",
            "-g",
            "--group",
            "-C",
            "--close-from",
            "-D",
            "--chdir",
            "-h",
            "--host",
            "-p",
            "--prompt",
            "-r",
            "--role",
            "-t",
            "--type",
            "-T",
            "--command-timeout",
            "-U",
            "--other-user",
        ),
        flags=_fs(
            "-A",
            "--askpass",
            "-b",
            "--background",
            "-E",
            "--preserve-env",
            "-H",
            "--set-home",
            "-n",
            "--non-interactive",
            "-P",
            "--preserve-groups",
            "-S",
            "--stdin",
            "-k",
            "--reset-timestamp",
            "-B",
            "--bell",
        ),
        signal="privilege",
        opaque_options=_fs("-i", "--login", "-s", "--shell", "-e", "--edit"),
        queries=_fs(
            "-l",
            "--list",
            "-v",
            "--validate",
            "-k",
            "-K",
            "--remove-timestamp",
            "-V",
            "--version",
            "-h",
            "--help",
        ),
    ),
    "doas": Wrapper(
        valued=_fs("-u", "-C"), flags=_fs("-n"), signal="privilege", opaque_options=_fs("-s")
    ),
    "xargs": Wrapper(
        valued=_fs(
            "-a",
            "--arg-file",
            "-d",
            "--delimiter",
            "-E",
            "-I",
            "-L",
            "--max-lines",
            "-n",
            "--max-args",
            "-P",
            "--max-procs",
            "-s",
            "--max-chars",
            "--process-slot-var",
            "--eof",
            "--replace",
        ),
        flags=_fs(
            "-0",
            "--null",
            "-r",
            "--no-run-if-empty",
            "-t",
            "--verbose",
            "-x",
            "--exit",
            "-p",
            "--interactive",
            "-o",
            "--open-tty",
            "--show-limits",
        ),
    ),
}
# Attached-value short options (`sudo -uroot`, `xargs -n1`) are understood for every
# wrapper; `xargs -i`/`-l`/`-e` take an optional attached value only.
XARGS_OPTIONAL = frozenset({"-i", "-l", "-e"})

SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "fish", "busybox-sh"})

# Interpreters and the options that hand them code on the command line.
INLINE_CODE_OPTIONS: dict[str, frozenset[str]] = {
    "python": _fs("-c"),
    "perl": _fs("-e", "-E"),
    "ruby": _fs("-e"),
    "node": _fs("-e", "--eval", "-p", "--print"),
    "nodejs": _fs("-e", "--eval", "-p", "--print"),
    "bun": _fs("-e", "--eval", "-p", "--print"),
    "deno": _fs("eval"),
    "php": _fs("-r", "-B", "-R", "-E", "-F"),
    "lua": _fs("-e"),
    "luajit": _fs("-e"),
    "R": _fs("-e"),
    "Rscript": _fs("-e"),
    "julia": _fs("-e", "--eval", "-E", "--print"),
    "tclsh": _fs(),
    "wish": _fs(),
    "expect": _fs("-c"),
    "osascript": _fs("-e"),
    "pwsh": _fs("-c", "-Command", "-command", "-EncodedCommand", "-e"),
    "powershell": _fs("-c", "-Command", "-command", "-EncodedCommand", "-e"),
    "elixir": _fs("-e", "--eval"),
    "erl": _fs("-eval", "-s", "-run"),
    "groovy": _fs("-e"),
    "scala": _fs("-e"),
    "jshell": _fs(),
    "ghci": _fs("-e"),
    "ghc": _fs("-e"),
    "gdb": _fs("-ex", "--ex", "-eval-command", "--eval-command", "-x", "--command", "-batch"),
    "vim": _fs("-c", "--cmd", "-S"),
    "vi": _fs("-c", "--cmd", "-S"),
    "nvim": _fs("-c", "--cmd", "-S", "-l"),
    "ex": _fs("-c", "--cmd", "-S"),
    "emacs": _fs("--eval", "-eval", "--batch", "-l", "--load", "-f", "--funcall"),
    "awk": _fs(),
    "gawk": _fs(),
    "mawk": _fs(),
    "nawk": _fs(),
}
INTERPRETER_NAME = re.compile(r"^(python|pypy)[0-9.]*$|^(perl|ruby|php|lua)[0-9.]*$")
# Interpreters that read a program from stdin when given no script: code we cannot see.
STDIN_INTERPRETERS = (
    frozenset(
        {
            "python",
            "perl",
            "ruby",
            "node",
            "nodejs",
            "php",
            "lua",
            "tclsh",
            "wish",
            "bun",
            "R",
            "julia",
            "irb",
            "pwsh",
            "powershell",
            "ksh",
            "expect",
            "jshell",
            "groovy",
            "osascript",
            "sqlite3",
            "gdb",
        }
    )
    | SHELLS
)
# Programs that run a command given as their arguments and that we do not peel:
# what they run is out of sight (or runs elsewhere with other privileges).
COMMAND_RUNNERS = frozenset(
    {
        "su",
        "runuser",
        "pkexec",
        "chroot",
        "unshare",
        "nsenter",
        "flock",
        "watch",
        "strace",
        "ltrace",
        "script",
        "parallel",
        "run-parts",
        "busybox",
        "toybox",
        "at",
        "batch",
        "systemd-run",
        "dbus-launch",
        "firejail",
        "aa-exec",
        "sg",
        "newgrp",
        "taskset",
        "chrt",
        "prlimit",
        "cpulimit",
        "catchsegv",
        "valgrind",
        "perf",
        "rlwrap",
        "screen",
        "tmux",
        "expect",
        "socat",
        "capsh",
        "setarch",
        "linux32",
        "linux64",
        "ssh-agent",
        "start-stop-daemon",
        "torsocks",
        "proxychains",
        "proxychains4",
        "faketime",
        "fakeroot",
        "bwrap",
        "docker-compose",
        "scl",
        "byobu",
        "stdbuf",
    }
    - set(WRAPPERS)
)

# Options that make a program run other commands or load code, keyed by program or by
# "program subcommand" (matched as written, `--opt=value` and attached short values
# understood); a part carrying one is opaque.
EXEC_OPTIONS: dict[str, frozenset[str]] = {
    "git": _fs("-c", "--config-env", "--exec-path"),
    "git fetch": _fs("--upload-pack", "-u"),
    "git pull": _fs("--upload-pack"),
    "git clone": _fs("--upload-pack", "-u", "--template", "-c", "--config"),
    "git ls-remote": _fs("--upload-pack", "-u"),
    "git archive": _fs("--exec"),
    "git push": _fs("--receive-pack", "--exec"),
    "git grep": _fs("-O", "--open-files-in-pager"),
    "git rebase": _fs("-x", "--exec"),
    "git difftool": _fs("-x", "--extcmd", "-t", "--tool"),
    "git mergetool": _fs("-t", "--tool"),
    "git config": _fs("--edit", "-e"),
    "rg": _fs("--pre"),
    "tar": _fs(
        "--checkpoint-action",
        "--to-command",
        "--use-compress-program",
        "-I",
        "--rsh-command",
        "--info-script",
        "-F",
        "--new-volume-script",
        "--rmt-command",
    ),
    "ssh": _fs("-F"),
    "scp": _fs("-F", "-S"),
    "sftp": _fs("-F", "-S", "-D"),
    "rsync": _fs("-e", "--rsh", "--rsync-path"),
    "zip": _fs("-TT", "--unzip-command"),
    "man": _fs("-P", "--pager", "-H", "--html"),
    "sort": _fs("--compress-program"),
    "tcpdump": _fs("-z"),
    "nmap": _fs("--script"),
    "mysql": _fs("--pager", "-e", "--execute"),
    "psql": _fs("-c", "--command", "-f", "--file"),
    "sqlite3": _fs("-cmd", "-init"),
    "dpkg": _fs("--force-script-chrootless"),
    "apt-get": _fs("-o", "--option"),
    "apt": _fs("-o", "--option"),
    "openssl": _fs("-engine"),
    "cpio": _fs("--rsh-command"),
    "ip": _fs("-b", "-batch"),
    "wget": _fs("--execute", "-e", "--use-askpass"),
    "gcc": _fs("-wrapper", "-fplugin"),
    "cc": _fs("-wrapper", "-fplugin"),
    "ld": _fs("--plugin"),
    "npm": _fs("--script-shell", "--node-options"),
    "env": _fs("-S", "--split-string"),
}
# Subcommands that run a shell snippet given to them.
EXEC_SUBCOMMANDS = frozenset({"git submodule foreach", "git bisect run", "git filter-branch"})
# ssh-family `-o` settings whose value is a command run locally.
SSH_COMMAND_SETTINGS = re.compile(
    r"^\s*(proxycommand|localcommand|permitlocalcommand|knownhostscommand|pkcs11provider|"
    r"securitykeyprovider|sshaskpass|remotecommand|match)\b",
    re.IGNORECASE,
)
SSH_FAMILY = frozenset({"ssh", "scp", "sftp", "autossh", "sshfs", "mosh"})
# Pagers whose `+cmd` start-up command can run a shell (`less '+!sh'`).
PAGERS = frozenset({"less", "more", "most"})
# Editors whose `+cmd` argument runs an editor command (`vim '+!id'`).
EDITORS = frozenset({"vim", "vi", "nvim", "ex", "view", "vimdiff", "rvim", "gvim", "nano", "emacs"})


# Program-specific global options that do not change what runs, skipped before matching a
# prefix (`git --no-pager -C dir log` matches `git log`): option → takes a value.
GLOBAL_OPTIONS: dict[str, dict[str, bool]] = {
    "git": {
        "--no-pager": False,
        "-P": False,
        "--paginate": False,
        "-p": False,
        "-C": True,
        "--git-dir": True,
        "--work-tree": True,
        "--namespace": True,
        "--bare": False,
        "--no-replace-objects": False,
        "--literal-pathspecs": False,
        "--glob-pathspecs": False,
        "--noglob-pathspecs": False,
        "--icase-pathspecs": False,
        "--no-optional-locks": False,
        "--no-advice": False,
    },
    "docker": {
        "--context": True,
        "-c": True,
        "--host": True,
        "-H": True,
        "--log-level": True,
        "-l": True,
        "--debug": False,
        "-D": False,
        "--tls": False,
    },
    "kubectl": {
        "-n": True,
        "--namespace": True,
        "--context": True,
        "--kubeconfig": True,
        "--cluster": True,
        "--user": True,
        "-v": True,
    },
    "cargo": {
        "--quiet": False,
        "-q": False,
        "--verbose": False,
        "-v": False,
        "--color": True,
        "--offline": False,
        "--locked": False,
        "--frozen": False,
    },
    "npm": {
        "--silent": False,
        "-s": False,
        "--prefix": True,
        "-C": True,
        "--workspace": True,
        "-w": True,
    },
    "systemctl": {"--user": False, "--no-pager": False, "-q": False, "--quiet": False},
    "uv": {
        "--quiet": False,
        "-q": False,
        "--verbose": False,
        "-v": False,
        "--directory": True,
        "--project": True,
        "--offline": False,
    },
    "poetry": {
        "--quiet": False,
        "-q": False,
        "--no-interaction": False,
        "-n": False,
        "--directory": True,
        "-C": True,
    },
    "go": {},
    "make": {"-C": True, "--directory": True, "-s": False, "--silent": False, "-j": True},
}

# Assignments that change what runs or what gets loaded: a part carrying one is opaque.
RISKY_VARIABLES = frozenset(
    {
        "PATH",
        "PAGER",
        "GIT_PAGER",
        "MANPAGER",
        "SYSTEMD_PAGER",
        "LESSOPEN",
        "LESSCLOSE",
        "LESSKEY",
        "EDITOR",
        "VISUAL",
        "GIT_EDITOR",
        "SUDO_EDITOR",
        "SUDO_ASKPASS",
        "BASH_ENV",
        "ENV",
        "ZDOTDIR",
        "PROMPT_COMMAND",
        "PS4",
        "IFS",
        "SHELLOPTS",
        "BASHOPTS",
        "CDPATH",
        "HOME",
        "SHELL",
        "BROWSER",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PYTHONHOME",
        "PYTHONINSPECT",
        "PYTHONUSERBASE",
        "PERL5LIB",
        "PERL5OPT",
        "PERLLIB",
        "RUBYLIB",
        "RUBYOPT",
        "NODE_OPTIONS",
        "NODE_PATH",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "CLASSPATH",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_EXEC_PATH",
        "GIT_ASKPASS",
        "SSH_ASKPASS",
        "GIT_EXTERNAL_DIFF",
        "GIT_PROXY_COMMAND",
        "GIT_TEMPLATE_DIR",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_CONFIG",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "RUSTC_WRAPPER",
        "RUSTC",
        "CC",
        "CXX",
        "LD",
        "MAKEFLAGS",
        "MAKE",
        "NPM_CONFIG_SCRIPT_SHELL",
        "npm_config_script_shell",
        "TERMINFO",
        "TERM_PROGRAM",
        "XDG_CONFIG_HOME",
        "XDG_CONFIG_DIRS",
        "XDG_DATA_DIRS",
        "SSL_CERT_FILE",
        "OPENSSL_CONF",
        "TMPDIR",
        "GCONV_PATH",
        "HOSTALIASES",
        "RESOLV_HOST_CONF",
        "MALLOC_CHECK_",
    }
)
RISKY_VARIABLE_PREFIXES = ("LD_", "DYLD_", "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "BASH_FUNC_")

SECRET_VARIABLE = re.compile(
    r"(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|AUTH|SESSION_KEY)",
    re.IGNORECASE,
)

# Options that make a program print its version or help and exit without running anything.
INFO_OPTIONS = frozenset({"--version", "-V", "--help", "-version", "-help"})

# Shell features that define code for later parts of the same script.
DEFINES_CODE = frozenset({"alias", "function", "trap", "enable", "complete", "bind"})
RUNS_FILE = frozenset({"source", ".", "eval"})
FIND_OPAQUE = frozenset(
    {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls"}
)


def program_key(name: str) -> str:
    """The name rules see for a program: system paths lose their directory, others keep it.

    Interpreter versions fold into their family (`python3.12` → `python`) only for the
    knowledge tables, not for rules: callers use `interpreter_family` for that.
    """
    if "/" in name:
        directory, _, base = name.rpartition("/")
        if base and (
            directory in SYSTEM_BIN_DIRS
            or posixpath.normpath(directory or "/") in (SYSTEM_BIN_DIRS)
        ):
            return base
    return name


def interpreter_family(program: str) -> str:
    """`python3.12` → `python`, `perl5.36` → `perl`; other names unchanged."""
    match = INTERPRETER_NAME.match(program)
    if match:
        return (match.group(1) or match.group(2)) if match.group(1) != "pypy" else "python"
    return program


def is_risky_variable(name: str) -> bool:
    """True for variables whose value changes what runs or what gets loaded."""
    return name in RISKY_VARIABLES or name.startswith(RISKY_VARIABLE_PREFIXES)


def carries_option(args: Sequence[str], option: str, cluster: bool = True) -> bool:
    """True when `args` carry `option` before a `--` (the forms `OptionSet.find` accepts)."""
    return option_set((option,)).find(args, cluster) is not None


class OptionSet:
    """Options looked for in an argv in one pass, in every form a program accepts them.

    `--long` matches `--long` and `--long=value`; a one-letter `-x` matches `-x`, an
    attached value `-xVALUE`, and (with `cluster`) a bundle of short flags such as `-rf`
    for `-r`; other single-dash words (`-exec`, `-TT`) match as written or with `=value`.
    Nothing after a `--` counts.
    """

    __slots__ = ("exact", "heads", "letters")

    def __init__(self, options: Iterable[str]) -> None:
        names = frozenset(options)
        if any("=" in name for name in names):
            raise ValueError(f"an option name holds '=': {sorted(names)}")
        self.exact = names
        self.letters = {o[1]: o for o in names if len(o) == 2 and o[0] == "-" and o[1] != "-"}
        self.heads = names - set(self.letters.values())

    def find(self, args: Sequence[str], cluster: bool = True) -> str | None:
        """The option `args` carry (the first found), or None."""
        for arg in args:
            if arg == "--":
                return None
            if arg in self.exact:
                return arg
            if "=" in arg and (head := arg.split("=", 1)[0]) in self.heads:
                return head
            if self.letters and len(arg) > 2 and arg[0] == "-" and arg[1] != "-":
                found = self.letters.get(arg[1])
                if found is not None:
                    return found
                if cluster and arg[1:].isalpha():
                    for letter in arg[2:]:
                        if letter in self.letters:
                            return self.letters[letter]
        return None


@lru_cache(maxsize=1024)
def option_set(options: Collection[str]) -> OptionSet:
    """The `OptionSet` of a hashable collection of options (tables and rules reuse theirs)."""
    return OptionSet(options)
