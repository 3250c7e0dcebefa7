"""Shell parsing: a command string becomes the parts that rules judge (tree-sitter-bash)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from rules import programs as P
from rules.programs import carries_option, option_set

PartKind = Literal["exec", "read", "write"]
MAX_DEPTH = 8


class Part(NamedTuple):
    """One thing a command does: run a program (`exec`), or read or write a file.

    `argv` is the peeled command (wrappers removed, quotes resolved, `/usr/bin/rm` → `rm`);
    `dynamic[i]` is True where `argv[i]` holds an expansion whose value is unknown; `opaque`
    says why the parser cannot see what runs ("" when it can); `cwd` is the directory the
    part runs in (after `cd`), None when unknown. A named tuple: parsing makes many.
    """

    kind: PartKind
    text: str
    argv: tuple[str, ...] = ()
    dynamic: tuple[bool, ...] = ()
    path: str | None = None
    cwd: str | None = None
    opaque: str = ""
    signals: frozenset[str] = frozenset()
    via: tuple[str, ...] = ()

    @property
    def program(self) -> str:
        """The program an exec part runs, or "" for other parts."""
        return self.argv[0] if self.argv else ""


class Word(NamedTuple):
    """A shell word: its text with quotes resolved, and whether expansions make it unknown."""

    text: str
    dynamic: bool = False


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_bash.language()))


def parse(command: str, cwd: str | None = None) -> list[Part]:
    """Split a shell command string into the parts rules judge; never raises.

    Args:
        command: the shell string as the agent wrote it.
        cwd: the directory it runs in, used to resolve relative paths.

    Returns:
        The parts in source order. Input the parser cannot read yields an opaque part.
    """
    return _Walker(cwd).parse_into(command, 0)


# A command of plain words (no quotes, expansions, operators, globs or keywords) reads the
# same to any shell: it skips the parser. tests/rules/test_shell.py checks both agree.
_PLAIN = re.compile(
    r"[A-Za-z_./][A-Za-z0-9_./-]*(?: +[A-Za-z0-9_./:@%+,^~-][A-Za-z0-9_./:@%+,=^~-]*)* *"
)
_KEYWORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "for",
        "while",
        "until",
        "do",
        "done",
        "case",
        "esac",
        "function",
        "select",
        "in",
        "coproc",
        "time",
        "[[",
        "]]",
        "{",
        "}",
        "!",
        "declare",
        "export",
        "local",
        "readonly",
        "typeset",
        "unset",
    }
)


def is_plain(command: str) -> bool:
    """True for a command made only of plain words separated by spaces."""
    if not _PLAIN.fullmatch(command):
        return False
    first = command.split(" ", 1)[0]
    return first not in _KEYWORDS and "=" not in first


def parse_argv(argv: Sequence[str], cwd: str | None = None) -> list[Part]:
    """The parts of a command given as an argv (no shell involved)."""
    if not argv:
        return []
    walker = _Walker(cwd)
    walker.exec_words(
        [Word(a) for a in argv], " ".join(argv), stdin_fed=False, depth=0, signals=set(), via=()
    )
    return walker.parts


_ESCAPE_IN_DQUOTES = re.compile(r'\\([\\"$`\n])')
_ESCAPE_BARE = re.compile(r"\\(.)", re.DOTALL)
_ANSI_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_GLOB_CHARS = frozenset("*?[")
_BRACE_EXPANSION = re.compile(r"\{[^{}\s]*(,|\.\.)[^{}\s]*\}")
_REDIRECT_WRITE = (">", ">>", ">|", "&>", "&>>", "<>")
_DUP_OPS = (">&", "<&", ">&-", "<&-")
_CD = frozenset({"cd", "pushd"})


_ANSI_SEQUENCE = re.compile(
    r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)", re.DOTALL
)


def _ansi_c(body: str) -> str:
    """The value of a `$'...'` string: `\\n`, `\\x72`, `\\162`, `\\u0072`, `\\cX`..."""
    return _ANSI_SEQUENCE.sub(_ansi_char, body)


def _ansi_char(match: re.Match[str]) -> str:
    code = match.group(1)
    try:
        if code[0] in "xuU" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8) & 0xFF)
        if code[0] == "c" and len(code) == 2:
            return chr(ord(code[1].upper()) ^ 0x40)
    except (ValueError, OverflowError):
        return match.group(0)
    return _ANSI_ESCAPES.get(code, match.group(0))


@dataclass
class _Walker:
    cwd: str | None
    parts: list[Part] = field(default_factory=list)
    source: bytes = b""

    # -- entry ---------------------------------------------------------------------------
    def run(self, command: str, depth: int) -> list[Part]:
        if depth > MAX_DEPTH:
            self._opaque(command, "shell scripts nested too deep to follow")
            return self.parts
        self.source = command.encode("utf-8", errors="surrogatepass")
        tree = _parser().parse(_parser_safe(self.source))
        root = tree.root_node
        self.walk(root, depth, stdin_fed=False)
        if root.has_error:
            self._opaque(command, "the shell parser cannot read this command")
        return self.parts

    def _text(self, node: Node | None) -> str:
        return _text(node, self.source)

    def _opaque(self, text: str, why: str, signals: frozenset[str] = frozenset()) -> None:
        self.parts.append(
            Part("exec", text.strip(), cwd=self.cwd, opaque=why, signals=signals | {"opaque-code"})
        )

    # -- tree walk -----------------------------------------------------------------------
    def walk(self, node: Node, depth: int, stdin_fed: bool) -> None:
        kind = node.type
        if kind == "command":
            self.command(node, depth, stdin_fed)
        elif kind == "redirected_statement":
            self.redirected(node, depth, stdin_fed)
        elif kind == "pipeline":
            for i, child in enumerate(c for c in node.named_children if c.type != "comment"):
                self.walk(child, depth, stdin_fed or i > 0)
        elif kind == "subshell":
            saved = self.cwd
            self._children(node, depth, stdin_fed)
            self.cwd = saved
        elif kind == "variable_assignment":
            self.assignment(node, depth, standalone=True)
        elif kind == "declaration_command":
            self.declaration(node, depth)
        elif kind == "function_definition":
            self._opaque(self._text(node), "defines a shell function")
            self._children(node, depth, stdin_fed)
        elif kind in ("command_substitution", "process_substitution"):
            self._opaque(
                self._text(node), "runs a command substitution whose output is used as code"
            )
            self._inner(node, depth)
        elif kind in ("comment", "heredoc_start", "heredoc_end"):
            return
        else:
            self._children(node, depth, stdin_fed)

    def _children(self, node: Node, depth: int, stdin_fed: bool) -> None:
        for child in node.named_children:
            self.walk(child, depth, stdin_fed)

    def _inner(self, node: Node, depth: int) -> None:
        """Judge the commands inside a substitution (they run in a subshell)."""
        saved = self.cwd
        self._children(node, depth, stdin_fed=False)
        self.cwd = saved

    def _substitutions(self, node: Node, depth: int) -> bool:
        """Judge the substitutions inside a word; True if any (the caller marks its part)."""
        found = False
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in ("command_substitution", "process_substitution"):
                self._inner(current, depth)
                found = True
            else:
                stack.extend(reversed(current.named_children))
        return found

    # -- words ---------------------------------------------------------------------------
    def word(self, node: Node, depth: int) -> tuple[Word, bool]:
        """Resolve a word node; the flag says it holds a command or process substitution."""
        subst = self._substitutions(node, depth) if _may_hold_subst(node) else False
        return _resolve(node, self.source), subst

    # -- commands ------------------------------------------------------------------------
    def command(self, node: Node, depth: int, stdin_fed: bool) -> None:
        words: list[Word] = []
        why = ""
        signals: set[str] = set()
        for child in node.named_children:
            kind = child.type
            if kind == "variable_assignment":
                reason = self.assignment(child, depth, standalone=False)
                why = why or reason
            elif kind == "command_name":
                word, subst = self.word(
                    child.named_children[0] if child.named_children else child, depth
                )
                words.append(word)
                if subst:
                    why = why or "runs a command substitution in command position"
            elif kind in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                stdin_fed = self.redirect(child, depth, stdin_fed) or stdin_fed
            elif kind == "comment":
                continue
            else:
                word, subst = self.word(child, depth)
                words.append(word)
                if subst:
                    why = why or "uses command or process substitution"
        if not words:
            return
        if why:
            signals.add("opaque-code")
        self.exec_words(words, self._text(node), stdin_fed, depth, signals, (), why)

    def exec_words(
        self,
        words: list[Word],
        text: str,
        stdin_fed: bool,
        depth: int,
        signals: set[str],
        via: tuple[str, ...],
        why: str = "",
    ) -> None:
        """Peel wrappers off a command's words, then record it as an exec part."""
        unwrapped = self._unwrap(words, text, stdin_fed, depth, signals, via, why)
        if unwrapped is None:
            return
        words, why, via = unwrapped
        if not words:
            return
        texts = [w.text for w in words]
        texts[0] = P.program_key(texts[0])
        argv = tuple(texts)
        dynamic = tuple([w.dynamic for w in words])
        if not why:
            why = _opaque_program(argv, dynamic, stdin_fed)
        if why:
            signals.add("opaque-code")
        part = Part(
            "exec", text.strip(), argv, dynamic, None, self.cwd, why, frozenset(signals), via
        )
        self.parts.append(part)
        self._follow_inner(argv, depth, signals, via)
        if argv[0] in _CD:
            self.cwd = _cd(self.cwd, argv, dynamic)

    def _unwrap(
        self,
        words: list[Word],
        text: str,
        stdin_fed: bool,
        depth: int,
        signals: set[str],
        via: tuple[str, ...],
        why: str,
    ) -> tuple[list[Word], str, tuple[str, ...]] | None:
        """Strip wrappers (`sudo`, `env`, `timeout`...); None when a `sh -c` script was
        judged in its place. Returns the command's words, why it is opaque, and the chain
        of wrappers it ran under."""
        while words and not words[0].dynamic:
            program = P.program_key(words[0].text)
            wrapper = P.WRAPPERS.get(program)
            if wrapper is not None:
                if len(words) > 1 and words[1].text in wrapper.queries:
                    break
                inner, reason = _strip_wrapper(wrapper, program, words[1:])
                if wrapper.signal:
                    signals.add(wrapper.signal)
                if reason or not inner:
                    return words, why or reason, via
                via, words = (*via, program), inner
                continue
            if program not in P.SHELLS:
                break
            script, shell_reason = _shell_script(words[1:])
            if script is None:
                if shell_reason is None and not stdin_fed:
                    break  # `bash build.sh`: a script file, judged by its name
                fallback = f"{program} reads commands from its input"
                return words, why or shell_reason or fallback, via
            if script.dynamic:
                return words, why or f"{program} -c runs a script built from variables", via
            inner_walker = _Walker(self.cwd)
            inner_walker.parse_into(script.text, depth + 1)
            self.parts.extend(_with(p, signals, (*via, program)) for p in inner_walker.parts)
            if why:
                self._opaque(text, why, frozenset(signals))
            return None
        if words and words[0].dynamic:
            why = why or "the program is a variable or expansion"
        return words, why, via

    def parse_into(self, command: str, depth: int) -> list[Part]:
        """Add the parts of a command string (plain words skip the parser)."""
        if is_plain(command):
            words = [Word(w) for w in command.split(" ") if w]
            self.exec_words(words, command, False, depth, set(), ())
            return self.parts
        return self.run(command, depth)

    def _follow_inner(
        self, argv: tuple[str, ...], depth: int, signals: set[str], via: tuple[str, ...]
    ) -> None:
        """Also judge what `find -exec`, `eval` and `source` would run, where it is visible."""
        program = argv[0]
        inner: list[list[str]] = []
        if program == "find":
            inner = _find_commands(argv)
        elif program == "eval" and len(argv) > 1:
            sub = _Walker(self.cwd)
            sub.parse_into(" ".join(argv[1:]), depth + 1)
            self.parts.extend(_with(p, signals, (*via, "eval")) for p in sub.parts)
        for words in inner:
            self.exec_words(
                [Word(w) for w in words],
                " ".join(words),
                False,
                depth + 1,
                set(signals),
                (*via, program),
            )

    def assignment(self, node: Node, depth: int, standalone: bool) -> str:
        """Judge `NAME=VALUE`; returns why it makes the command opaque ("" if it does not)."""
        name_node = node.child_by_field_name("name")
        name = self._text(name_node) if name_node is not None else ""
        value = node.child_by_field_name("value")
        subst = self._substitutions(value, depth) if value is not None else False
        reason = ""
        if P.is_risky_variable(name):
            reason = f"sets {name}, which changes what runs or loads"
        elif subst:
            reason = "assigns the output of a command substitution"
        if standalone and reason:
            self._opaque(self._text(node), reason)
        return reason

    def declaration(self, node: Node, depth: int) -> None:
        keyword = node.children[0].type if node.children else "declare"
        words = [Word(keyword)]
        why = ""
        assigned = False
        for child in node.named_children:
            if child.type == "variable_assignment":
                assigned = True
                why = why or self.assignment(child, depth, standalone=False)
            else:
                word, subst = self.word(child, depth)
                words.append(word)
                if subst:
                    why = why or "uses command substitution"
        flags = "".join(w.text[1:] for w in words[1:] if w.text.startswith("-"))
        if why:
            self._opaque(self._text(node), why)
        elif "f" in flags:
            self._opaque(self._text(node), f"{keyword} -f defines or exports shell functions")
        elif len(words) > 1 or not assigned:
            # `export -p` or a bare `export` prints the environment: judged like a command.
            self.exec_words(words, self._text(node), False, depth, set(), ())

    # -- redirections --------------------------------------------------------------------
    def redirected(self, node: Node, depth: int, stdin_fed: bool) -> None:
        # tree-sitter-bash hangs `a && b > f` on the whole list; bash applies it to `b`, so
        # the body is walked first and its files are judged from the directory it ends in.
        body = node.child_by_field_name("body")
        redirects = [c for c in node.named_children if c is not body]
        fed = stdin_fed or any(
            r.type in ("heredoc_redirect", "herestring_redirect") for r in redirects
        )
        if body is not None:
            self.walk(body, depth, fed)
        for redirect in redirects:
            self.redirect(redirect, depth, fed)

    def redirect(self, node: Node, depth: int, stdin_fed: bool) -> bool:
        """Record a redirection's file as a read or write part; True if it feeds stdin."""
        if node.type == "heredoc_redirect":
            for child in node.named_children:
                if child.type in ("heredoc_start", "heredoc_end"):
                    continue
                if child.type == "heredoc_body":
                    self.walk(child, depth, stdin_fed=False)
                elif child.type in ("file_redirect", "herestring_redirect"):
                    self.redirect(child, depth, True)
                else:
                    self.walk(child, depth, stdin_fed=True)
            return True
        if node.type == "herestring_redirect":
            self._children(node, depth, stdin_fed=False)
            return True
        op = next((c.type for c in node.children if not c.is_named), "")
        destination = node.child_by_field_name("destination")
        if destination is None or (
            op in _DUP_OPS
            and destination.type in ("number", "word")
            and (self._text(destination).isdigit() or self._text(destination) == "-")
        ):
            return False
        if op in ("<&", ">&-", "<&-"):
            return False
        word, subst = self.word(destination, depth)
        kind: PartKind = "read" if op == "<" else "write"
        why = ""
        if subst:
            why = "the file name comes from a command substitution"
        elif word.dynamic and not _home_expansion(word.text):
            why = "the file name comes from a variable"
        path = _home_expansion(word.text) or word.text
        self.parts.append(
            Part(
                kind,
                self._text(node),
                path=path,
                cwd=self.cwd,
                opaque=why,
                signals=frozenset({"opaque-code"}) if why else frozenset(),
            )
        )
        return op == "<"


# -- helpers ---------------------------------------------------------------------------------
def _text(node: Node | None, source: bytes) -> str:
    """A node's text, read from the original bytes (the parser saw a safe copy)."""
    if node is None:
        return ""
    raw = source[node.start_byte : node.end_byte]
    try:
        return raw.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


# tree-sitter-bash 0.25 can crash the process on some 4-byte UTF-8 sequences (upstream
# issue tree-sitter-bash#337). The parser is given a copy where each such character is
# four ASCII letters and each lone surrogate U+FFFD: same byte offsets, nothing to crash on.
_ASTRAL = re.compile(rb"[\xf0-\xf7][\x80-\xbf]{3}")
_LONE_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")


def _parser_safe(source: bytes) -> bytes:
    if source.isascii():
        return source
    return _LONE_SURROGATE.sub(b"\xef\xbf\xbd", _ASTRAL.sub(b"aaaa", source))


def _may_hold_subst(node: Node) -> bool:
    return node.type not in ("word", "raw_string", "number", "ansi_c_string")


def _resolve(node: Node, source: bytes) -> Word:
    """The value of a word node with quotes resolved; expansions keep their text."""
    kind = node.type
    raw = _text(node, source)
    if kind == "word":
        if raw.startswith("!") and len(raw) > 1:
            return Word(raw, dynamic=True)  # history expansion in an interactive shell
        return Word(_ESCAPE_BARE.sub(r"\1", raw) if "\\" in raw else raw)
    if kind in ("number", "variable_name"):
        return Word(raw)
    if kind == "raw_string":
        return Word(raw[1:-1])
    if kind == "ansi_c_string":
        return Word(_ansi_c(raw[2:-1]))
    if kind in ("string", "translated_string"):
        pieces: list[str] = []
        dynamic = False
        for child in node.named_children:
            if child.type == "string_content":
                pieces.append(_ESCAPE_IN_DQUOTES.sub(r"\1", _text(child, source)))
            else:
                pieces.append(_text(child, source))
                dynamic = True
        return Word("".join(pieces), dynamic)
    if kind == "concatenation":
        parts = [_resolve(child, source) for child in node.named_children]
        text = "".join(p.text for p in parts)
        if _BRACE_EXPANSION.search(raw):
            return Word(raw, dynamic=True)  # `{a,b}` expands to several words
        return Word(text, any(p.dynamic for p in parts))
    return Word(raw, dynamic=True)


def _home_expansion(text: str) -> str | None:
    """`$HOME/x` and `${HOME}/x` → `~/x`; None for any other variable use."""
    for prefix in ("$HOME", "${HOME}"):
        if text == prefix or text.startswith(prefix + "/"):
            rest = text[len(prefix) :]
            return None if "$" in rest or "`" in rest else "~" + rest
    return None


def _with(part: Part, signals: set[str], via: tuple[str, ...]) -> Part:
    return Part(
        part.kind,
        part.text,
        part.argv,
        part.dynamic,
        part.path,
        part.cwd,
        part.opaque,
        part.signals | signals,
        (*via, *part.via),
    )


def _strip_wrapper(wrapper: P.Wrapper, program: str, words: list[Word]) -> tuple[list[Word], str]:
    """A wrapper's options stripped: the command it runs, and why it is opaque ("" if not)."""
    positional = wrapper.positional
    i = 0
    while i < len(words):
        text = words[i].text
        if words[i].dynamic:
            return [], f"{program} is given options from a variable"
        if text == "--":
            return words[i + 1 :], ""
        if wrapper.assignments and "=" in text and not text.startswith("-"):
            name = text.split("=", 1)[0]
            if P.is_risky_variable(name):
                return [], f"sets {name}, which changes what runs"
            i += 1
        elif text.startswith("-") and len(text) > 1:
            name = text.split("=", 1)[0]
            if name in wrapper.opaque_options:
                return [], f"{program} {name} runs a shell or editor"
            width = _option_width(wrapper, program, text)
            if width is None:
                return [], f"{program} option {name} is not understood"
            i += width
        elif positional:
            positional -= 1
            i += 1
        else:
            break
    return words[i:], ""


def _option_width(wrapper: P.Wrapper, program: str, text: str) -> int | None:
    """How many words a wrapper's option takes up (None: an option it does not have)."""
    name = text.split("=", 1)[0]
    short = not text.startswith("--")
    if name in wrapper.flags:
        return 1
    if name in wrapper.valued:
        return 1 if "=" in text else 2
    if short and (text[:2] in wrapper.valued or all(f"-{c}" in wrapper.flags for c in text[1:])):
        return 1  # an attached value (`-uroot`, `-n1`) or bundled flags (`-En`)
    if program == "xargs" and text[:2] in P.XARGS_OPTIONAL:
        return 1
    if program == "nice" and text[1:].lstrip("-").isdigit():
        return 1
    return None


_SHELL_VALUED = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})


def _shell_script(args: list[Word]) -> tuple[Word | None, str | None]:
    """For `bash [opts] -c SCRIPT`: the script word; else why it is opaque (None: a file)."""
    wants_script = False
    i = 0
    while i < len(args):
        text = args[i].text
        if args[i].dynamic:
            return None, "the shell is given options from a variable"
        if text in ("--", "-"):
            i += 1
            break
        if text in _SHELL_VALUED:
            i += 2
            continue
        if text.startswith("--"):
            i += 1
            continue
        if text[:1] in "-+" and len(text) > 1:
            if "c" in text[1:] and text[0] == "-":
                wants_script = True
            if "s" in text[1:] and text[0] == "-":
                return None, "the shell reads commands from its input"
            if "i" in text[1:] and text[0] == "-":
                return None, "starts an interactive shell"
            i += 1
            continue
        break
    if wants_script:
        return (args[i], None) if i < len(args) else (None, "the shell is given no script")
    if i < len(args):
        return None, None
    return None, "starts a shell that reads commands from its input"


def _opaque_program(argv: tuple[str, ...], dynamic: tuple[bool, ...], stdin_fed: bool) -> str:
    """Why this peeled command runs code the rules cannot see, or ""."""
    program, args = argv[0], argv[1:]
    if not _known(program):
        return _by_name(program)  # a program no table mentions: only its name can tell
    return (
        _by_name(program)
        or _runs_code(program, args, stdin_fed)
        or _exec_options(program, args, dynamic)
        or _special(program, args)
    )


# Every program some table below knows something about.
_KNOWN = frozenset(
    {
        *P.DEFINES_CODE,
        *P.RUNS_FILE,
        *P.COMMAND_RUNNERS,
        *P.INLINE_CODE_OPTIONS,
        *P.STDIN_INTERPRETERS,
        *(key.split()[0] for key in P.EXEC_OPTIONS),
        *(key.split()[0] for key in P.EXEC_SUBCOMMANDS),
        *P.SSH_FAMILY,
        *P.PAGERS,
        *P.EDITORS,
        "sed",
        "find",
    }
)


@lru_cache(maxsize=4096)
def _known(program: str) -> bool:
    """Whether some table below knows the program (or its interpreter family)."""
    return program in _KNOWN or P.interpreter_family(program) in _KNOWN


def _by_name(program: str) -> str:
    if any(ch in _GLOB_CHARS for ch in program) or program.startswith("!"):
        return "the program name is a pattern"
    if program in P.DEFINES_CODE:
        return f"{program} defines code that later commands run"
    if program in P.RUNS_FILE:
        return f"{program} runs code the rules cannot see"
    if program in P.COMMAND_RUNNERS:
        return f"{program} runs another command"
    return ""


def _runs_code(program: str, args: tuple[str, ...], stdin_fed: bool) -> str:
    """Interpreters given code inline or on their input."""
    family = P.interpreter_family(program)
    inline = P.INLINE_CODE_OPTIONS.get(family)
    if inline is not None:
        return _interpreter(family, args, inline, stdin_fed)
    if family in P.STDIN_INTERPRETERS and not _operands(args):
        return "" if P.INFO_OPTIONS.intersection(args) else f"{program} reads code from its input"
    return ""


def _exec_options(program: str, args: tuple[str, ...], dynamic: tuple[bool, ...]) -> str:
    """Subcommands and options that run another program (`git -c`, `tar -I`...)."""
    sub = f"{program} {args[0]}" if args and not dynamic[1] else ""
    for key in (sub, f"{sub} {args[1]}" if sub and len(args) > 1 else ""):
        if key in P.EXEC_SUBCOMMANDS:
            return f"{key} runs a command given to it"
    for key in (program, sub):
        options = P.EXEC_OPTIONS.get(key)
        if options and (option := option_set(options).find(args)):
            return f"{key} {option} runs another program or loads code"
    return ""


def _interpreter(family: str, args: tuple[str, ...], inline: frozenset[str], fed: bool) -> str:
    if family in ("awk", "gawk", "mawk", "nawk"):
        return _awk(args)
    if option := option_set(inline).find(args, cluster=family == "python"):
        return f"{family} {option} runs code given on the command line"
    if family == "python" and carries_option(args, "-m"):
        return ""
    if P.INFO_OPTIONS.intersection(args) and not _operands(args):
        return ""
    if family in P.STDIN_INTERPRETERS and (not _operands(args) or "-" in args):
        return f"{family} reads code from its input" if fed else f"{family} starts a prompt"
    return ""


def _operands(args: Sequence[str]) -> list[str]:
    return [a for a in args if not a.startswith("-")]


_AWK_RUNS = re.compile(r"system\s*\(|(?<!\|)\|(?!\|)|\bprintf?\b[^;{}]*?>|getline|@load")


def _awk(args: tuple[str, ...]) -> str:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-f", "--file", "-i", "--include", "-l", "--load", "-E", "--exec"):
            return "awk runs a program from a file"
        if arg in ("-v", "-F", "--assign", "--field-separator"):
            i += 2
            continue
        if arg.startswith("-") and arg != "-":
            i += 1
            continue
        return "awk program runs commands or writes files" if _AWK_RUNS.search(arg) else ""
    return ""


def _special(program: str, args: tuple[str, ...]) -> str:
    """Options whose *value* decides whether they run code."""
    if program in P.SSH_FAMILY:
        for i, arg in enumerate(args):
            value = (
                arg[2:]
                if arg.startswith("-o") and len(arg) > 2
                else (args[i + 1] if arg == "-o" and i + 1 < len(args) else None)
            )
            if value is not None and P.SSH_COMMAND_SETTINGS.match(value):
                return f"{program} -o {value.split('=')[0].split()[0]} runs a local command"
    if program in P.PAGERS and any(a.startswith(("+!", "+|")) for a in args):
        return f"{program} is told to run a shell command"
    if program in P.EDITORS and any(a.startswith("+") and len(a) > 1 for a in args):
        return f"{program} is given an editor command to run"
    if program == "sed":
        return _sed(args)
    if program == "find":
        hit = next((a for a in args if a in P.FIND_OPAQUE), None)
        if hit:
            return f"find {hit} runs commands or changes files"
    return ""


_SED_SCRIPT_OPTS = ("-e", "--expression")
_SED_FILE_OPTS = ("-f", "--file")


def _sed(args: tuple[str, ...]) -> str:
    scripts: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _SED_FILE_OPTS or arg.startswith("--file="):
            return "sed runs a script from a file"
        if arg in _SED_SCRIPT_OPTS:
            scripts.append(args[i + 1] if i + 1 < len(args) else "")
            i += 2
            continue
        if arg.startswith("--expression="):
            scripts.append(arg.split("=", 1)[1])
        elif arg.startswith("-e") and len(arg) > 2:
            scripts.append(arg[2:])
        elif arg in ("-l", "--line-length"):
            i += 1
        elif not arg.startswith("-") and not scripts:
            scripts.append(arg)
            break
        i += 1
    for script in scripts:
        if _sed_runs(script):
            return "sed script runs commands or writes files (e, w)"
    return ""


_SED_CMD = re.compile(
    r"(?:^|[;\n{}])\s*(?:[0-9$]+|/(?:[^/\\]|\\.)*/)?\s*(?:,\s*(?:[0-9$]+|/(?:[^/\\]|\\.)*/))?\s*!?\s*([ewWrR])"
)


def _sed_runs(script: str) -> bool:
    """True when a sed script uses `e`, `w`/`W` (or `r`/`R`) commands or `s///e`/`s///w` flags."""
    if _SED_CMD.search(script):
        return True
    for match in re.finditer(r"(?:^|[^A-Za-z_])s([^A-Za-z0-9\s])", script):
        delim = match.group(1)
        if delim in "\\\n":
            continue
        rest = script[match.end() :]
        pieces = re.split(r"(?<!\\)" + re.escape(delim), rest, maxsplit=2)
        if len(pieces) == 3:
            flags = re.match(r"[0-9gpIiMme w]*", pieces[2])
            if flags and ("e" in flags.group(0) or "w" in flags.group(0)):
                return True
    return False


def _find_commands(argv: tuple[str, ...]) -> list[list[str]]:
    """The commands a `find -exec`/`-ok` expression would run, without `{}` markers."""
    commands: list[list[str]] = []
    i = 0
    while i < len(argv):
        if argv[i] in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            while j < len(argv) and argv[j] not in (";", "+", "\\;"):
                j += 1
            if j > i + 1:
                commands.append(list(argv[i + 1 : j]))
            i = j
        i += 1
    return commands


def _cd(cwd: str | None, argv: tuple[str, ...], dynamic: tuple[bool, ...]) -> str | None:
    operands = [a for a in argv[1:] if not a.startswith("-")]
    if not operands:
        return "~"
    if dynamic[argv.index(operands[0])] or operands[0] == "-":
        return None
    target = operands[0]
    if target.startswith(("/", "~")):
        return posixpath.normpath(target)
    return posixpath.normpath(posixpath.join(cwd, target)) if cwd else None
