"""`warden review` (one verdict, to try a model) and `warden review-eval` (a labelled corpus)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from reviewer.config import ReviewerSettings
from reviewer.errors import EndpointError, ReviewerError, ReviewTimeout
from reviewer.evaluate import LABELS, Report, evaluate, load_corpus, shipped_corpus
from reviewer.prompt import PROMPT_VERSION
from reviewer.review import Review, Reviewer
from reviewer.settings import build_reviewer, load_settings
from rules.action import Action, ActionContext, AgentRef
from rules.engine import default_engine
from rules.errors import RulesError

EXIT_CODES = {"approve": 0, "escalate": 3, "deny": 4}
USAGE_ERROR = 2
T = TypeVar("T")


def _parser(prog: str, description: str, epilog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog)
    parser.add_argument("--model", help="the model (default: the config's [reviewer] model)")
    parser.add_argument("--base-url", help="an OpenAI-compatible endpoint (default: the config's)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _settings(args: argparse.Namespace) -> ReviewerSettings:
    flags = {"model": args.model, "base_url": args.base_url}
    return load_settings().model_copy(update={k: v for k, v in flags.items() if v})


async def _closing(reviewer: Reviewer, work: Coroutine[Any, Any, T]) -> T:
    try:
        return await work
    finally:
        await reviewer.aclose()


def review_main(argv: list[str]) -> int:
    """Run `warden review [--json] [--model M] [--base-url URL] [--task TEXT] "SHELL STRING"`."""
    parser = _parser(
        "warden review",
        "Ask the reviewer for one verdict on a shell command, to try a model.",
        "Exit code: 0 approve, 3 escalate, 4 deny, 2 usage or config error.",
    )
    parser.add_argument("--task", default="", help="the user's request the command serves")
    parser.add_argument("command", help='"SHELL STRING"')
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else USAGE_ERROR
    cwd = os.getcwd()
    try:
        reviewer = build_reviewer(_settings(args))
        engine = default_engine(cwd)
    except (ReviewerError, RulesError) as exc:
        print(f"warden review: {exc}", file=sys.stderr)
        return USAGE_ERROR
    action = Action(
        kind="exec",
        command=args.command,
        cwd=cwd,
        agent=AgentRef(name="warden-review"),
        context=ActionContext(task=args.task),
    )
    review = asyncio.run(_closing(reviewer, reviewer.review(action, engine.judge(action))))
    print(json.dumps(_review_json(review)) if args.json else _review_text(review, reviewer))
    return EXIT_CODES[review.outcome.outcome]


def _review_json(review: Review) -> dict[str, Any]:
    outcome = review.outcome
    return {
        "decision": outcome.outcome,
        "verdict": review.verdict.model_dump() if review.verdict else None,
        "error": outcome.error,
        "latency_ms": round(outcome.latency_ms),
        "tokens": outcome.tokens,
    }


def _review_text(review: Review, reviewer: Reviewer) -> str:
    outcome, verdict = review.outcome, review.verdict
    if verdict is None:
        return f"{outcome.outcome}  {outcome.error}"
    return (
        f"{outcome.outcome}  risk {verdict.risk} · user authorization {verdict.user_authorized}"
        f" · the model said {verdict.outcome}\n"
        f'  "{outcome.rationale}"\n'
        f"  {reviewer.model} · {outcome.latency_ms:,.0f} ms · {outcome.tokens:,} tokens"
    )


def eval_main(argv: list[str]) -> int:
    """Run `warden review-eval [CORPUS.jsonl] [--model M] [--base-url URL] [--json]`."""
    parser = _parser(
        "warden review-eval",
        "Measure a model as Warden's reviewer on a labelled corpus (benign / risky actions).",
        "Exit code: 0 measured, 1 no model reachable, 2 usage, config or corpus error.",
    )
    parser.add_argument(
        "corpus", nargs="?", type=Path, help="JSON lines with a label (default: the shipped corpus)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else USAGE_ERROR
    corpus = args.corpus or shipped_corpus()
    try:
        items = load_corpus(corpus)
        settings = _settings(args).model_copy(update={"daily_token_cap": None})
        reviewer = build_reviewer(settings, circuit_breaker=False)
        engine = default_engine(None, user=False)
    except (ReviewerError, RulesError) as exc:
        print(f"warden review-eval: {exc}", file=sys.stderr)
        return USAGE_ERROR
    try:
        report = asyncio.run(_closing(reviewer, evaluate(reviewer, engine, items)))
    except (EndpointError, ReviewTimeout) as exc:
        print(f"warden review-eval: no verdict from {reviewer.model}: {exc}", file=sys.stderr)
        print("No figures: nothing was measured.", file=sys.stderr)
        return 1
    about = {
        "corpus": str(corpus),
        "items": len(items),
        "model": reviewer.model,
        "endpoint": reviewer.endpoint.url,
        "response_format": reviewer.endpoint.format,
        "threshold": reviewer.threshold,
        "prompt": PROMPT_VERSION,
    }
    print(json.dumps({**about, **report.to_json()}) if args.json else _report_text(about, report))
    return 0


def _report_text(about: dict[str, Any], report: Report) -> str:
    lines = [
        "review-eval  {items} items from {corpus}\n"
        "  model {model} at {endpoint} · format {response_format} · threshold {threshold}"
        " · prompt {prompt}".format(**about),
        "",
        f"{'label':<8}{'items':>6}{'approve':>9}{'escalate':>10}{'deny':>8}{'failed':>8}",
    ]
    figures = report.to_json()
    for label in LABELS:
        row = figures["labels"].get(label)
        if row:
            rates = "".join(
                f"{row[o]:>{w}.1%}" for o, w in (("approve", 9), ("escalate", 10), ("deny", 8))
            )
            lines.append(f"{label:<8}{row['items']:>6}{rates}{row['failed']:>8}")
    lines += ["", f"false approvals (risky items approved): {len(report.false_approvals)}"]
    lines += [f"  {item.id}  {item.action.summary()[:90]}" for item in report.false_approvals]
    spent = report.tokens
    lines += [
        "",
        f"latency  p50 {report.percentile(0.5):,.0f} ms · p95 {report.percentile(0.95):,.0f} ms",
        f"tokens   {spent:,} in all · {spent // max(about['items'], 1):,} per item",
    ]
    if report.errors:
        lines += ["", "failures (escalated without a verdict):"]
        lines += [f"  {count} x {error}" for error, count in report.errors.most_common()]
    return "\n".join(lines)
