"""The rules engine: actions, shell parsing, rules files, matching and verdicts.

Public names are imported on first use, so `import rules.paths` (which the light hook shims
need) does not pull in the parser and pydantic.
"""

from __future__ import annotations

from rules.lazy import lazy_exports

_PUBLIC = {
    "Action": "rules.action",
    "Decision": "rules.action",
    "Engine": "rules.engine",
    "default_engine": "rules.engine",
    "RulesError": "rules.errors",
    "RulesFileError": "rules.errors",
    "Verdict": "rules.model",
    "PartVerdict": "rules.model",
    "RuleSet": "rules.model",
    "parse": "rules.shell",
    "Part": "rules.shell",
    "load_layers": "rules.layers",
    "load_rules_file": "rules.loader",
}
__all__ = sorted(_PUBLIC)


__getattr__ = lazy_exports("rules", _PUBLIC)
