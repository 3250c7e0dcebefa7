"""Which rules match a part, a path, a host or a tool: rules indexed by program, directory, host."""

from __future__ import annotations

import bisect
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rules.globs import (
    PathMatcher,
    any_path_matcher,
    brace_alternatives,
    expand,
    glob_literal_dir,
    globs_regex,
    has_wildcard,
    home,
    host_matches,
    path_matcher,
    path_regex,
    shell_pattern,
    witnesses,
    word_matches,
)
from rules.model import CommandRule, NetworkRule, PathRule, Rule, ToolRule
from rules.needles import needles
from rules.programs import GLOBAL_OPTIONS, option_set
from rules.shell import Part, parse

PRIVILEGE_WRAPPERS = frozenset({"sudo", "doas"})


def normalize_command(text: str) -> str:
    """A command string with runs of blanks folded, for `exact` comparisons."""
    return " ".join(text.split())


def prefix_words(part: Part) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The words a prefix is compared with: program-specific global options skipped."""
    argv, dynamic = part.argv, part.dynamic
    skip = GLOBAL_OPTIONS.get(part.program)
    if not skip or len(argv) < 2:
        return argv, dynamic
    i = 1
    while i < len(argv) and argv[i].startswith("-") and not dynamic[i]:
        name = argv[i].split("=", 1)[0]
        takes_value = skip.get(name)
        if takes_value is None:
            break
        i += 2 if takes_value and "=" not in argv[i] else 1
    return (argv[0], *argv[i:]), (dynamic[0], *dynamic[i:])


class _Position:
    """The alternatives of one prefix word: literals looked up, globs as one compiled regex.

    A glob's `*` never spans a `/` unless the glob itself holds one (as `word_matches`).
    """

    __slots__ = ("literals", "regex", "slash_regex")

    def __init__(self, alternatives: Iterable[str]) -> None:
        words = tuple(alternatives)
        self.literals = frozenset(w for w in words if not _is_glob(w))
        globs = [w for w in words if _is_glob(w)]
        self.regex = globs_regex([g for g in globs if "/" not in g])
        self.slash_regex = globs_regex([g for g in globs if "/" in g])

    def matches(self, word: str) -> bool:
        if word in self.literals:
            return True
        if self.regex is not None and "/" not in word and self.regex.search(word):
            return True
        return self.slash_regex is not None and self.slash_regex.search(word) is not None


def _compile_prefix(rule: CommandRule) -> tuple[_Position, ...]:
    return tuple(_Position(alts) for alts in rule.prefix)


def _is_glob(word: str) -> bool:
    return "*" in word or "?" in word or ("[" in word and "]" in word[word.index("[") + 1 :])


def _prefix_hits(
    positions: tuple[_Position, ...], words: tuple[str, ...], dynamic: tuple[bool, ...]
) -> bool:
    if len(words) < len(positions):
        return False
    for i, position in enumerate(positions):
        if dynamic[i] or not position.matches(words[i]):
            return False
    return True


class _ArgGlobs:
    """A rule's argument globs compiled: words in one regex, path-like globs as paths."""

    def __init__(self, globs: tuple[str, ...], home_dir: str) -> None:
        self.words = globs_regex([g for g in globs if not _path_like(g)])
        self.paths = [path_regex(g, home_dir) for g in globs if _path_like(g)]
        self.home = home_dir

    def hit(self, arg: str, cwd: str | None) -> bool:
        if self.words is not None and self.words.search(arg):
            return True
        if self.paths:
            full = expand(arg, cwd, self.home)
            return any(regex.match(full) for regex in self.paths)
        return False


def _absent(rule: Rule, found: Sequence[Rule]) -> bool:
    """Not yet among the rules found (by identity: comparing rules field by field is slow)."""
    return all(rule is not other for other in found)


def _path_like(glob: str) -> bool:
    return glob.startswith(("/", "~", "**"))


@dataclass(frozen=True)
class _Conditions:
    """The option and argument conditions of a command rule, compiled once."""

    rule: CommandRule
    args_any: _ArgGlobs | None
    args_none: _ArgGlobs | None

    @classmethod
    def of(cls, rule: CommandRule, home_dir: str) -> _Conditions:
        return cls(
            rule,
            _ArgGlobs(rule.args_any, home_dir) if rule.args_any else None,
            _ArgGlobs(rule.args_none, home_dir) if rule.args_none else None,
        )

    def hold(self, part: Part) -> bool:
        rule = self.rule
        args = part.argv[1:]
        if rule.options_any and option_set(rule.options_any).find(args) is None:
            return False
        if rule.options_none and option_set(rule.options_none).find(args) is not None:
            return False
        if not (self.args_any or self.args_none or rule.max_args is not None):
            return True
        seen = operands(part)
        if rule.max_args is not None:
            before = len(operands(_first_words(part, len(rule.prefix))))
            if len(seen) - before > rule.max_args:
                return False
        if self.args_none and any(self.args_none.hit(arg, part.cwd) for arg in seen):
            return False
        return not self.args_any or any(self.args_any.hit(arg, part.cwd) for arg in seen)


def _first_words(part: Part, count: int) -> Part:
    """The part cut to the words a prefix of `count` words covers (global options kept)."""
    words, _ = prefix_words(part)
    skipped = len(part.argv) - len(words)
    end = min(len(part.argv), count + skipped)
    return Part(part.kind, part.text, part.argv[:end], part.dynamic[:end], cwd=part.cwd)


def operands(part: Part) -> list[str]:
    """The arguments of an exec part that are not options (up to and after `--`)."""
    out: list[str] = []
    after_dashdash = False
    for arg, dyn in zip(part.argv[1:], part.dynamic[1:], strict=False):
        if arg == "--" and not after_dashdash:
            after_dashdash = True
            continue
        if after_dashdash or not arg.startswith("-") or arg == "-":
            out.append(home_variable(arg) if dyn else arg)
    return out


def home_variable(arg: str) -> str:
    """`$HOME/x` or `${HOME}/x` written as `~/x` (other text unchanged)."""
    for prefix in ("${HOME}", "$HOME"):
        if arg == prefix or arg.startswith(prefix + "/"):
            return "~" + arg[len(prefix) :]
    return arg


_Compiled = tuple[_Conditions, tuple[_Position, ...]]


class RuleIndex:
    """Rules indexed so a lookup costs about the same for 10 rules or 10,000.

    Command rules are filed under their program, path rules under the directory their
    glob starts with, network rules under the domain they name; globs are compiled once.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.home = home()  # `~` in every glob, and in every path judged, means this
        self.by_program: dict[str, list[_Compiled]] = defaultdict(list)
        self.by_subcommand: dict[tuple[str, str], list[_Compiled]] = defaultdict(list)
        self.wild_programs: list[_Compiled] = []
        self._wild_cache: dict[str, list[_Compiled]] = {}
        self.exact: dict[str, list[CommandRule]] = defaultdict(list)
        self.patterns: list[tuple[CommandRule, re.Pattern[str], frozenset[str] | None]] = []
        self.paths_by_dir: dict[str, list[tuple[PathRule, PathMatcher]]] = defaultdict(list)
        self.wild_paths: list[tuple[PathRule, PathMatcher]] = []
        self.hosts: dict[str, list[NetworkRule]] = defaultdict(list)
        self.tools: list[ToolRule] = []
        for rule in rules:
            self._add(rule)
        self.sorted_dirs = sorted(self.paths_by_dir)
        self._ancestry: dict[str, list[tuple[PathRule, PathMatcher]]] = {}
        self.any_wild = any_path_matcher([rule.glob for rule, _ in self.wild_paths], self.home)
        literals = sorted({n for _, _, found in self.patterns for n in found or ()}, key=len)
        self.any_needle = re.compile("|".join(map(re.escape, literals))) if literals else None
        self.unscreened = [(rule, regex) for rule, regex, found in self.patterns if found is None]
        # Directories that hold guarded files themselves (`~/.ssh`, `~/.aws`), but not the
        # home directory or a top-level one: listing `~` or `/etc` reads nothing guarded.
        self.holders: dict[str, list[PathRule]] = defaultdict(list)
        path_rules = [rule for entries in self.paths_by_dir.values() for rule, _ in entries]
        for rule in path_rules + [rule for rule, _ in self.wild_paths]:
            for parent in {posixpath.dirname(w) for w in witnesses(rule.glob, self.home)}:
                deep = parent.startswith("/") and parent.count("/") > 1
                if deep and not self.home.startswith(parent):
                    self.holders[parent].append(rule)

    def _add(self, rule: Rule) -> None:
        if isinstance(rule, CommandRule):
            self._add_command(rule)
        elif isinstance(rule, PathRule):
            self._add_path(rule)
        elif isinstance(rule, NetworkRule):
            self.hosts[rule.host.lower().lstrip("*.")].append(rule)
        else:
            self.tools.append(rule)

    def _add_command(self, rule: CommandRule) -> None:
        if rule.exact is not None:
            self.exact[normalize_command(rule.exact)].append(rule)
            return
        if rule.pattern is not None:
            self.patterns.append((rule, re.compile(rule.pattern), needles(rule.pattern)))
            return
        compiled = (_Conditions.of(rule, self.home), _compile_prefix(rule))
        if any(_is_glob(first) for first in rule.prefix[0]):
            self.wild_programs.append(compiled)  # its literal programs are filed too
        second = rule.prefix[1] if len(rule.prefix) > 1 else ()
        by_second = bool(second) and not any(_is_glob(w) for w in second)
        for first in rule.prefix[0]:
            if _is_glob(first):
                continue
            if by_second:
                for word in second:
                    self.by_subcommand[(first, word)].append(compiled)
            else:
                self.by_program[first].append(compiled)

    def _add_path(self, rule: PathRule) -> None:
        entry = (rule, path_matcher(rule.glob, self.home))
        alternatives = brace_alternatives(rule.glob)
        if any(alt.startswith("**") for alt in alternatives):
            self.wild_paths.append(entry)
            return
        # Filed under each alternative's directory: `/{etc/shadow,var/lib/sss/**}`
        # is looked at for paths under /etc and /var/lib/sss, not for every path.
        for literal in {glob_literal_dir(alt, self.home) for alt in alternatives}:
            self.paths_by_dir[literal].append(entry)

    def has_paths(self) -> bool:
        """True when any path rule is indexed."""
        return bool(self.paths_by_dir or self.wild_paths)

    def command_hits(self, part: Part) -> list[CommandRule]:
        """Prefix and exact rules that match an exec part (patterns are matched per action)."""
        hits = self.exact_hits(part.text)
        if not part.argv:
            return hits
        words, dynamic = prefix_words(part)
        for conditions, positions in self._candidates(words, dynamic):
            # `not in`: a rule is filed under a literal and a glob program alike
            fits = (not hits or _absent(conditions.rule, hits)) and _prefix_hits(
                positions, words, dynamic
            )
            if fits and conditions.hold(part):
                hits.append(conditions.rule)
        for wrapper in PRIVILEGE_WRAPPERS.intersection(part.via):
            # `sudo apt update` is matched by rules written as `sudo apt update`.
            sudo_words, sudo_dynamic = (wrapper, *words), (False, *dynamic)
            for conditions, positions in self._candidates(sudo_words, sudo_dynamic):
                if _prefix_hits(positions, sudo_words, sudo_dynamic) and conditions.hold(part):
                    hits.append(conditions.rule)
        return hits

    def _wild_for(self, program: str) -> list[_Compiled]:
        """The glob-program rules (`mkfs.*`, `*`) whose first word can match this program.

        Worked out once per program name: programs repeat, so this costs a dict lookup.
        """
        found = self._wild_cache.get(program)
        if found is None:
            if len(self._wild_cache) > 50_000:
                self._wild_cache.clear()
            found = [entry for entry in self.wild_programs if entry[1][0].matches(program)]
            self._wild_cache[program] = found
        return found

    def _candidates(self, words: tuple[str, ...], dynamic: tuple[bool, ...]) -> list[_Compiled]:
        """The rules filed under this program (and its first word), plus wildcard programs."""
        found = [*self.by_program.get(words[0], ()), *self._wild_for(words[0])]
        if len(words) > 1 and not dynamic[1]:
            found.extend(self.by_subcommand.get((words[0], words[1]), ()))
        return found

    def exact_hits(self, text: str) -> list[CommandRule]:
        """Exact rules naming this whole command string."""
        return list(self.exact.get(normalize_command(text), ())) if self.exact else []

    def pattern_hits(self, text: str) -> list[CommandRule]:
        """Pattern rules whose regex occurs in the whole command text.

        Most commands hold none of the literals the patterns need: one scan for all of
        them settles that, and only patterns whose literals occur run their regex.
        """
        if self.any_needle is not None and not self.any_needle.search(text):
            return [rule for rule, regex in self.unscreened if regex.search(text)]
        return [
            rule
            for rule, regex, literals in self.patterns
            if (literals is None or any(n in text for n in literals)) and regex.search(text)
        ]

    def path_hits(self, path: str, access: str) -> list[PathRule]:
        """Path rules matching an absolute, normalised path for a `read`, a `write` or `any`."""
        wild = self.any_wild is not None and self.any_wild(path) is not None
        candidates = list(self.wild_paths) if wild else []
        candidates.extend(self.paths_by_dir.get(path, ()))
        if path != "/":
            candidates.extend(self._filed_above(path.rsplit("/", 1)[0] or "/"))
        hits: list[PathRule] = []
        for rule, matches in candidates:
            wanted = access == "any" or rule.access in ("any", access)
            if wanted and matches(path) and (not hits or _absent(rule, hits)):
                hits.append(rule)
        return hits

    def _filed_above(self, directory: str) -> list[tuple[PathRule, PathMatcher]]:
        """Path rules filed under a directory or any directory above it.

        Worked out once per directory: paths judged in a session share a few directories.
        """
        found = self._ancestry.get(directory)
        if found is None:
            if len(self._ancestry) > 50_000:
                self._ancestry.clear()
            found = []
            probe = directory
            while True:
                found.extend(self.paths_by_dir.get(probe, ()))
                if probe == "/":
                    break
                probe = probe.rsplit("/", 1)[0] or "/"
            self._ancestry[directory] = found
        return found

    def reach_hits(self, path: str) -> list[PathRule]:
        """Path rules an operand reaches beyond the files it names itself.

        A directory reaches the guarded files directly inside it (`~/.ssh` holds the
        `~/.ssh/id_*` keys); a shell pattern reaches every guarded file it could expand to
        (`~/.s?h/id_*`).
        """
        if not has_wildcard(path):
            return list(self.holders.get(path, ()))
        base = glob_literal_dir(path, self.home)
        candidates = [rule for rule, _ in self.wild_paths]
        probe = base
        while True:
            candidates.extend(rule for rule, _ in self.paths_by_dir.get(probe, ()))
            if probe == "/":
                break
            probe = probe.rsplit("/", 1)[0] or "/"
        below = base.rstrip("/") + "/"
        start = bisect.bisect_left(self.sorted_dirs, below)
        for directory in self.sorted_dirs[start:]:
            if not directory.startswith(below):
                break
            candidates.extend(rule for rule, _ in self.paths_by_dir[directory])
        return [rule for rule in candidates if self._could_reach(path, base, rule)]

    def _could_reach(self, pattern: str, base: str, rule: PathRule) -> bool:
        """Whether a shell pattern can expand to one of the rule's witness paths."""
        found = witnesses(rule.glob, self.home)
        if found and found[0].startswith("x/"):  # `**/tail`: tails under the pattern's dir
            root = base.rstrip("/")
            found = tuple(f"{root}/{w[2:]}\n{root}/x/{w[2:]}" for w in found)
        return shell_pattern(pattern).search("\n".join(found)) is not None

    def network_hits(self, host: str, port: int | None) -> list[NetworkRule]:
        """Network rules matching a host (and port, when the rule names ports)."""
        host = host.lower().rstrip(".")
        labels = host.split(".")
        hits: list[NetworkRule] = []
        for i in range(len(labels)):
            for rule in self.hosts.get(".".join(labels[i:]), ()):
                if host_matches(rule.host, host) and (
                    not rule.ports or port is None or port in rule.ports
                ):
                    hits.append(rule)
        return hits

    def tool_hits(self, name: str) -> list[ToolRule]:
        """Tool rules whose name glob matches a tool name."""
        return [r for r in self.tools if word_matches(r.name, name) or r.name == name]


def takes_effect(rule: CommandRule, part: Part) -> bool:
    """Whether a matching command rule counts for this part.

    An `allow` reaches an opaque part only through an `exact` rule, and a privileged part
    (`sudo ...`) only through a rule written with `sudo`/`doas` in front.
    """
    if rule.decision != "allow" or rule.exact is not None:
        return True
    if part.opaque:
        return False
    return "privilege" not in part.signals or bool(PRIVILEGE_WRAPPERS.intersection(rule.prefix[0]))


def rule_hits(rule: Rule, sample: str, cwd: str | None = None) -> bool:
    """True when `rule` matches an example: a command, a path, `host[:port]` or a tool name."""
    index = RuleIndex([rule])
    if isinstance(rule, CommandRule):
        if rule.pattern is not None:
            return bool(index.pattern_hits(sample))
        if index.exact_hits(sample):
            return True
        return any(
            takes_effect(rule, p) and index.command_hits(p)
            for p in parse(sample, cwd)
            if p.kind == "exec"
        )
    if isinstance(rule, PathRule):
        accesses = ("read", "write") if rule.access == "any" else (rule.access,)
        return any(index.path_hits(expand(sample, cwd, index.home), a) for a in accesses)
    if isinstance(rule, NetworkRule):
        host, _, port = sample.rpartition(":") if ":" in sample else (sample, "", "")
        return bool(index.network_hits(host, int(port) if port.isdigit() else None))
    return bool(index.tool_hits(sample))
