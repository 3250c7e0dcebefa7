"""The LLM auto-review subagent: context, redaction, verdict, fail-closed calls, cache, eval.

Public names are imported on first use, so importing a light module (`reviewer.errors`) does not
pull in the `openai` client.
"""

from __future__ import annotations

from rules.lazy import lazy_exports

_PUBLIC = {
    "Reviewer": "reviewer.review",
    "Review": "reviewer.review",
    "ReviewOutcome": "reviewer.verdict",
    "ModelVerdict": "reviewer.verdict",
    "decide": "reviewer.verdict",
    "ReviewerSettings": "reviewer.config",
    "build_reviewer": "reviewer.settings",
    "load_settings": "reviewer.settings",
    "ReviewerError": "reviewer.errors",
    "ReviewerConfigError": "reviewer.errors",
    "CorpusError": "reviewer.errors",
    "ReviewFailed": "reviewer.errors",
    "ReviewTimeout": "reviewer.errors",
    "EndpointError": "reviewer.errors",
    "AnswerError": "reviewer.errors",
}
__all__ = sorted(_PUBLIC)


__getattr__ = lazy_exports("reviewer", _PUBLIC)
