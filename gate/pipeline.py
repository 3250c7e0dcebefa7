"""The approval pipeline: rules, grants, policy, reviewer, person — one logged decision each.

Every action gets exactly one decision, and it is in the audit log before the agent hears it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from gate.always import AlwaysResult, approve_always, plan_always
from gate.audit import AuditLog
from gate.errors import GateError
from gate.grants import GrantStore, covers_all, scopes_for
from gate.model import (
    RISK_ORDER,
    ApprovalPolicy,
    Event,
    Grant,
    GrantSpec,
    Pending,
    ReviewFn,
    ReviewResult,
    SandboxMode,
    Toggles,
    new_id,
)
from gate.policy import route
from gate.rulebook import Rulebook
from rules.action import Action, AgentRef, Decision, DecisionSource, RuleInfo
from rules.loader import Requirements
from rules.model import Verdict

log = logging.getLogger(__name__)
GATE_VERSION = "1"


class ActionCancelled(Exception):
    """The agent withdrew a pending action (cancel, or its connection closed)."""


class Gate:
    """The approval pipeline shared by every agent and console.

    Args:
        rulebook: the rules in force, per working directory.
        grants: session grants, persisted in the state dir.
        audit: the append-only audit log.
        reviewer: the auto-review subagent, or None when auto-review is off.
        toggles: the session settings a console may change.
        requirements: what the admin's requirements allow those settings to be.
        ask_timeout: seconds a person has before a pending action is denied (None: forever).
        writable_roots: extra writable directories of the sandbox (for the policy table).
        ask_person: False for a gate no person can reach (a private headless one): what
            would wait for a person is denied at once, saying how to get asked instead.
    """

    def __init__(
        self,
        *,
        rulebook: Rulebook,
        grants: GrantStore,
        audit: AuditLog,
        reviewer: ReviewFn | None = None,
        toggles: Toggles | None = None,
        requirements: Requirements | None = None,
        ask_timeout: float | None = None,
        writable_roots: Sequence[str] = (),
        ask_person: bool = True,
    ) -> None:
        self.rulebook = rulebook
        self.grant_store = grants
        self.audit = audit
        self.reviewer = reviewer
        self.requirements = requirements or Requirements()
        self._toggles = _within_requirements(toggles or Toggles(), self.requirements)
        self.ask_timeout = ask_timeout
        self.writable_roots = tuple(writable_roots)
        self.ask_person = ask_person
        self.pending: dict[str, Pending] = {}
        self.agents: dict[str, AgentRef] = {}
        self.paused: dict[tuple[str, str], asyncio.Event] = {}
        self.watchers: list[asyncio.Queue[Event]] = []
        self.tasks: set[asyncio.Task[Any]] = set()
        self.inflight: set[asyncio.Task[Any]] = set()

    @classmethod
    def from_settings(
        cls,
        policy: str | None = None,
        extra_rules: Sequence[str] = (),
        ask_timeout: float | None = None,
        reviewer: ReviewFn | None = None,
        ask_person: bool = True,
    ) -> Gate:
        """A gate wired from the config file, the requirements and the state dir.

        Raises:
            ConfigError: the config file is broken.
            RulesFileError: a rules or requirements file is broken.
            GateError: the requested policy is not allowed by the requirements.
        """
        from gate.config import load_config
        from gate.otel import sink_from_env
        from gate.profiles import preset_layers, profile_layers
        from rules.loader import load_requirements
        from rules.paths import config_file

        settings = load_config()
        _, requirements = load_requirements()
        if reviewer is None and settings.reviewer.with_env().model:
            from reviewer.settings import build_reviewer

            reviewer = build_reviewer(
                settings.reviewer.with_env(), sandbox_mode=settings.policy.sandbox_mode
            )
        toggles = Toggles(
            auto_review=reviewer is not None,
            review_threshold=settings.reviewer.threshold,
            approval_policy=policy or settings.policy.approval_policy,
            sandbox_mode=settings.policy.sandbox_mode,
            unknown_hosts=settings.policy.unknown_hosts,
        )
        allowed = requirements.allowed_approval_policies
        if allowed is not None and toggles.approval_policy not in allowed:
            raise GateError(
                f"the requirements allow only {', '.join(allowed)} as approval policy, "
                f"not {toggles.approval_policy}"
            )
        rulebook = Rulebook(
            extra=[Path(p) for p in extra_rules],
            guards_off=frozenset(settings.rules.guards_off),
            allow=preset_layers(settings),
            agent_allow=profile_layers(settings, str(config_file())),
        )
        rulebook.engine_for(None)  # a broken file stops the start, with its file:line
        return cls(
            rulebook=rulebook,
            grants=GrantStore(),
            audit=AuditLog(on_record=sink_from_env()),
            reviewer=reviewer,
            toggles=toggles,
            requirements=requirements,
            ask_timeout=ask_timeout,
            writable_roots=settings.sandbox.writable_roots,
            ask_person=ask_person,
        )

    # -- life cycle ------------------------------------------------------------------------
    async def start(self) -> None:
        """Nothing to prepare today; kept so servers can await it symmetrically with close."""

    async def close(self) -> None:
        """Deny what is still waiting ("the gate stopped"), then close the audit log."""
        for pending in list(self.pending.values()):
            self._resolve(pending, "deny", "error", "the gate stopped")
        others = self.inflight - {asyncio.current_task()}
        if others:  # let those decisions reach the audit log before it closes
            await asyncio.wait(others, timeout=5)
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.audit.close()

    def hello(self, client: str, agent: AgentRef) -> dict[str, Any]:
        """An agent introduces itself; its later actions default to this agent and session."""
        self.agents[client] = agent
        return {"gate_version": GATE_VERSION}

    # -- agent side ------------------------------------------------------------------------
    async def submit(self, action: Action, client: str) -> Decision:
        """Decide an action; waits as long as the person takes. Logged before it returns.

        Raises:
            GateError: the decision could not be written to the audit log (the agent must
                treat that as a denial: nothing unlogged is ever reported).
        """
        started = time.monotonic()
        current = asyncio.current_task()
        if current is not None:
            self.inflight.add(current)
            current.add_done_callback(self.inflight.discard)
        action = self._identified(action, client)
        await self._wait_if_paused(action)
        try:
            decision = await self._decide(action, client)
        except asyncio.CancelledError:
            raise
        except GateError:
            raise
        except Exception as exc:  # fail closed: an unexpected error denies
            log.exception("deciding %s failed", action.id)
            decision = _decision(action, "deny", "error", f"Warden failed to decide: {exc}")
        decision.timings["total_ms"] = round((time.monotonic() - started) * 1000, 3)
        await self._log_decision(action, decision)
        self._publish(
            {
                "type": "decided",
                "action_id": action.id,
                "summary": action.summary(),
                "kind": action.kind,
                "agent": action.agent.name,
                "session": action.agent.session,
                **_brief(decision),
            }
        )
        return decision

    async def cancel(self, action_id: str, client: str | None = None) -> bool:
        """The agent no longer wants an answer (it went away or gave up)."""
        pending = self.pending.get(action_id)
        if pending is None or (client is not None and pending.client != client):
            return False
        self.pending.pop(action_id, None)
        if not pending.future.done():
            pending.future.set_exception(ActionCancelled(action_id))
        await self._withdrawn(pending)
        return True

    async def _withdrawn(self, pending: Pending) -> None:
        await self._write("action.cancelled", **_who(pending.action))
        self._publish({"type": "cancelled", "action_id": pending.id})

    async def client_gone(self, client: str) -> None:
        """A connection closed: cancel everything it was waiting for."""
        for action_id in [p.id for p in self.pending.values() if p.client == client]:
            await self.cancel(action_id)
        self.agents.pop(client, None)

    async def result(self, action_id: str, exit_code: int, duration_ms: float) -> None:
        """How an allowed action went (for the audit log)."""
        await self._write(
            "action.result", action_id=action_id, exit_code=exit_code, duration_ms=duration_ms
        )
        self._publish({"type": "result", "action_id": action_id, "exit_code": exit_code})

    # -- console side ----------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue of every event from now on (queued, reviewed, decided, cancelled, ...)."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self.watchers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        """Stop delivering events to a queue."""
        with contextlib.suppress(ValueError):
            self.watchers.remove(queue)

    def snapshot(self) -> dict[str, Any]:
        """What a console needs on attaching: the queue, toggles, grants, paused agents."""
        return {
            "pending": [p.to_json() for p in self.pending.values()],
            "toggles": self._toggles.model_dump(),
            "grants": [g.model_dump() for g in self.grant_store.list()],
            "paused": [{"agent": a, "session": s} for a, s in self.paused],
            "problems": list(self.rulebook.problems),
            "reviewer": getattr(self.reviewer, "model", "custom") if self.reviewer else None,
            "allowed": _allowed(self.requirements),
        }

    def scopes(self, action_id: str) -> list[GrantSpec]:
        """The grant scopes a person may choose for a pending action, narrowest first."""
        pending = self._pending(action_id)
        return scopes_for(pending.action, pending.verdict)

    def always_preview(
        self, action_id: str, spec: GrantSpec | None, target: Literal["user", "project"]
    ) -> AlwaysResult:
        """What approving always would write for a pending action, and where; writes nothing.

        Raises:
            GateError: no such pending action, or nothing in it can be approved always.
        """
        pending = self._pending(action_id)
        spec = spec or self._narrowest(pending)
        layers = self.rulebook.layers_for(pending.action.cwd)
        planned, _, _ = plan_always(
            spec, pending.action, target, layers.rulesets, pending.action.cwd
        )
        return planned

    async def decide(
        self,
        action_id: str,
        decision: Literal["allow", "deny"],
        message: str = "",
        grant: GrantSpec | None = None,
        always: Literal["user", "project"] | None = None,
        bulk: bool = False,
    ) -> dict[str, Any]:
        """A person's answer: once, for the session (`grant`), always, or deny.

        With `bulk`, every pending action the grant covers gets the same answer.

        Raises:
            GateError: no such pending action, or an "always" rule that would take no effect.
        """
        pending = self._pending(action_id)
        if always is not None and decision == "allow":
            await self._approve_always(pending, grant, always)
        elif grant is not None and decision == "allow":
            await self._add_grant(pending, grant)
        targets = [pending]
        if bulk and grant is not None:
            targets += [
                other
                for other in self.pending.values()
                if other is not pending and covers_all(grant, other.action, other.verdict)
            ]
        for target in targets:
            self._resolve(target, decision, "user", message)
        return {"decided": [t.id for t in targets]}

    def grants(self, agent: str | None = None, session: str | None = None) -> list[Grant]:
        """Session grants in force (all of them, or one agent session's)."""
        return self.grant_store.list(agent, session)

    async def revoke(self, grant_id: str) -> bool:
        """End a session grant."""
        grant = self.grant_store.revoke(grant_id)
        if grant is None:
            return False
        await self._write("grant.revoked", grant=grant.model_dump())
        self._publish({"type": "revoked", "grant_id": grant_id})
        return True

    def toggles(self) -> Toggles:
        """The session settings in force."""
        return self._toggles

    async def set_toggle(self, name: str, value: Any) -> Toggles:
        """Change one session setting, within what the requirements allow.

        Raises:
            GateError: unknown setting, bad value, or one the requirements forbid.
        """
        if name not in Toggles.model_fields:
            raise GateError(f"no setting named {name!r}")
        try:
            changed = Toggles.model_validate({**self._toggles.model_dump(), name: value})
        except ValueError as exc:
            raise GateError(f"bad value for {name}: {value!r}") from exc
        if _within_requirements(changed, self.requirements) != changed:
            raise GateError(f"the requirements do not allow {name} = {value!r}")
        old = getattr(self._toggles, name)
        self._toggles = changed
        follows = {"review_threshold": "threshold", "sandbox_mode": "sandbox_mode"}
        if name in follows and hasattr(self.reviewer, follows[name]):
            setattr(self.reviewer, follows[name], getattr(changed, name))  # the reviewer follows
        await self._write("toggle.changed", name=name, old=old, new=getattr(changed, name))
        self._publish({"type": "toggle", "name": name, "value": getattr(changed, name)})
        return changed

    async def review(self, action_id: str) -> dict[str, Any]:
        """Run the auto-reviewer again on a pending action (a person asked: `r`).

        Its verdict decides as a first review does: an approval within the threshold allows
        the action, a critical one denies it when auto-deny is on, anything else waits.

        Returns:
            `{"review": the new review summary, "decided": "allow" | "deny" | None}`.

        Raises:
            GateError: no such pending action, no reviewer configured, auto-review off, or a
                review of this action already running.
        """
        pending = self._pending(action_id)
        if self.reviewer is None:
            raise GateError("no reviewer is configured: set [reviewer] model in the config")
        if not self._toggles.auto_review:
            raise GateError("auto-review is off: turn it on in the session panel first")
        if pending.reviewing:
            raise GateError(f"action {action_id!r} is being reviewed already")
        pending.reviewing = True
        self._publish({"type": "reviewing", "action_id": pending.id})
        await self._review_pending(pending)
        answer = pending.future
        decided = answer.result().decision if answer.done() and not answer.exception() else None
        review = pending.review.summary() if pending.review else None
        return {"review": review, "decided": decided}

    async def pause(self, agent: str, session: str | None, paused: bool) -> None:
        """Hold (or release) every new action of an agent session until resumed."""
        key = (agent, session or "")
        if paused:
            self.paused.setdefault(key, asyncio.Event())
        elif (released := self.paused.pop(key, None)) is not None:
            released.set()
        await self._write("toggle.changed", name="paused", agent=agent, session=session, new=paused)
        self._publish({"type": "paused", "agent": agent, "session": session, "paused": paused})

    # -- the pipeline ----------------------------------------------------------------------
    async def _decide(self, action: Action, client: str) -> Decision:
        engine = self.rulebook.engine_for(action.cwd, action.agent.name)
        verdict = engine.judge(action)
        rule = _rule_info(verdict)
        source: DecisionSource = "rules" if verdict.source == "fallback" else verdict.source
        if verdict.decision == "block":
            return _decision(action, "deny", source, _why(verdict), rule)
        if verdict.decision == "allow" and not action.escalate:
            return _decision(action, "allow", source, "", rule)
        grant = None if action.escalate else self._covering_grant(action, verdict)
        if grant is not None:
            return _decision(action, "allow", "session", f"covered by {grant.label()}")
        toggles = self._toggles
        where = route(
            verdict,
            action,
            toggles.approval_policy,
            toggles.sandbox_mode,
            self.writable_roots,
            toggles.unknown_hosts,
        )
        if where == "sandbox":
            return _decision(action, "allow", "policy", "runs in the sandbox")
        if where == "deny":
            return _decision(action, "deny", "policy", _why(verdict))
        if where == "review-or-deny" or (where == "person" and not self.ask_person):
            return await self._review_or_deny(action, verdict)
        return await self._ask(action, verdict, client)

    async def _review_or_deny(self, action: Action, verdict: Verdict) -> Decision:
        review = await self._review(action, verdict)
        if review is not None and self._approves(review):
            return _decision(action, "allow", "reviewer", review.rationale, review=review)
        why = review.rationale if review and review.rationale else _why(verdict)
        reason = (
            f"the approval policy is never: {why}"
            if self.ask_person
            else f"no one is here to ask — start Warden (`warden`) to approve it: {why}"
        )
        return _decision(action, "deny", "policy", reason, review=review)

    async def _ask(self, action: Action, verdict: Verdict, client: str) -> Decision:
        loop = asyncio.get_running_loop()
        pending = Pending(action, verdict, client, loop.create_future())
        if self.ask_timeout is not None:
            pending.deadline = time.time() + self.ask_timeout
        self.pending[pending.id] = pending
        try:
            await self._write(
                "action.queued",
                **_who(action),
                summary=action.summary(),
                kind=action.kind,
                verdict=verdict.to_json(),
            )
            reviews = self.reviewer is not None and self._toggles.auto_review
            pending.reviewing = reviews  # so the console shows "reviewing…" from the start
            self._publish({"type": "queued", "pending": pending.to_json()})
            if reviews:
                self._spawn(self._review_pending(pending))
            return await asyncio.wait_for(asyncio.shield(pending.future), self.ask_timeout)
        except ActionCancelled as exc:
            raise GateError(f"action {exc} was cancelled before anyone decided") from exc
        except asyncio.CancelledError:
            if self.pending.pop(pending.id, None) is not None:  # its caller went away
                await asyncio.shield(self._withdrawn(pending))
            raise
        except TimeoutError:
            self.pending.pop(pending.id, None)
            self._publish({"type": "cancelled", "action_id": pending.id, "reason": "timeout"})
            return _decision(
                action,
                "deny",
                "timeout",
                f"no one answered within {self.ask_timeout:g} s",
                review=pending.review,
            )
        finally:
            self.pending.pop(pending.id, None)

    async def _review_pending(self, pending: Pending) -> None:
        review = await self._review(pending.action, pending.verdict)
        pending.reviewing = False
        pending.review = review
        if pending.future.done():
            return
        self._publish(
            {
                "type": "reviewed",
                "action_id": pending.id,
                "review": review.summary() if review else None,
            }
        )
        if review is None:
            return
        if self._approves(review):
            self._resolve(pending, "allow", "reviewer", review.rationale, review)
        elif review.risk == "critical" and self._toggles.auto_deny_critical:
            self._resolve(pending, "deny", "reviewer", review.rationale, review)

    async def _review(self, action: Action, verdict: Verdict) -> ReviewResult | None:
        if self.reviewer is None or not self._toggles.auto_review:
            return None
        try:
            return await self.reviewer(action, verdict)
        except Exception as exc:  # the seam must fail closed: escalate, never approve
            log.exception("reviewer failed on %s", action.id)
            return ReviewResult(outcome="escalate", error=f"the reviewer failed: {exc}")

    def _approves(self, review: ReviewResult) -> bool:
        threshold = RISK_ORDER[self._toggles.review_threshold]
        return (
            review.outcome == "approve"
            and review.error is None
            and review.risk is not None
            and RISK_ORDER[review.risk] <= threshold
        )

    def _covering_grant(self, action: Action, verdict: Verdict) -> Grant | None:
        found = self.grant_store.covering(action, verdict, action.agent.name, action.agent.session)
        return found[0] if found else None

    # -- helpers ---------------------------------------------------------------------------
    def _identified(self, action: Action, client: str) -> Action:
        updates: dict[str, Any] = {}
        if not action.id or action.id in self.pending:
            updates["id"] = new_id("act")
        known = self.agents.get(client)
        if known is not None and action.agent.name == "unknown":
            updates["agent"] = known
        return action.model_copy(update=updates) if updates else action

    async def _wait_if_paused(self, action: Action) -> None:
        for key in ((action.agent.name, action.agent.session), (action.agent.name, "")):
            event = self.paused.get(key)
            if event is not None:
                await event.wait()

    def _pending(self, action_id: str) -> Pending:
        pending = self.pending.get(action_id)
        if pending is None:
            raise GateError(f"no pending action {action_id!r} (decided, cancelled or unknown)")
        return pending

    def _resolve(
        self,
        pending: Pending,
        decision: Literal["allow", "deny"],
        source: DecisionSource,
        message: str,
        review: ReviewResult | None = None,
    ) -> None:
        if pending.future.done():
            return
        result = _decision(
            pending.action, decision, source, message, review=review or pending.review
        )
        result.timings["waited_ms"] = round((time.time() - pending.queued_at) * 1000, 3)
        pending.future.set_result(result)
        self.pending.pop(pending.id, None)

    async def _add_grant(self, pending: Pending, spec: GrantSpec) -> Grant:
        agent = pending.action.agent
        grant = self.grant_store.add(spec, agent.name, agent.session, pending.id)
        await self._write("grant.added", grant=grant.model_dump())
        self._publish({"type": "grant", "grant": grant.model_dump()})
        return grant

    @staticmethod
    def _narrowest(pending: Pending) -> GrantSpec:
        """The narrowest scope offered for a pending action.

        Raises:
            GateError: none is offered.
        """
        offered = scopes_for(pending.action, pending.verdict)
        if not offered:
            raise GateError("nothing here can be approved always")
        return offered[0]

    async def _approve_always(
        self, pending: Pending, spec: GrantSpec | None, target: Literal["user", "project"]
    ) -> None:
        spec = spec or self._narrowest(pending)
        layers = self.rulebook.layers_for(pending.action.cwd)
        outcome = approve_always(spec, pending.action, target, layers.rulesets, pending.action.cwd)
        if not outcome.ok:
            raise GateError(outcome.reason)
        self.rulebook.reload()
        await self._write(
            "rules.changed",
            file=outcome.file,
            line=outcome.line,
            rule=outcome.rule_text,
            action_id=pending.id,
        )
        self._publish({"type": "rules", "file": outcome.file, "line": outcome.line})

    async def _log_decision(self, action: Action, decision: Decision) -> None:
        try:
            await self.audit.write(
                "action.decided",
                **_who(action),
                kind=action.kind,
                summary=action.summary(),
                executor=action.executor,
                decision=decision.decision,
                source=decision.source,
                message=decision.message,
                rule=decision.rule.model_dump() if decision.rule else None,
                reviewer=decision.reviewer,
                timings=decision.timings,
            )
        except Exception as exc:
            raise GateError(
                f"the audit log cannot be written, so nothing is decided: {exc}"
            ) from exc

    async def _write(self, event: str, **fields: Any) -> None:
        try:
            await self.audit.write(event, **fields)
        except Exception:
            log.exception("audit write of %s failed", event)

    def _publish(self, event: Event) -> None:
        for queue in list(self.watchers):
            queue.put_nowait(event)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def _decision(
    action: Action,
    decision: Literal["allow", "deny"],
    source: DecisionSource,
    message: str,
    rule: RuleInfo | None = None,
    review: ReviewResult | None = None,
) -> Decision:
    return Decision(
        action_id=action.id,
        decision=decision,
        source=source,
        message=message,
        rule=rule,
        reviewer=review.summary() if review else None,
    )


def _rule_info(verdict: Verdict) -> RuleInfo | None:
    if verdict.rule is None:
        return None
    return RuleInfo(id=verdict.rule.id, file=verdict.rule.file, line=verdict.rule.line)


def _why(verdict: Verdict) -> str:
    reasons = [p.why for p in verdict.parts if p.decision == verdict.decision and p.why]
    return reasons[0] if reasons else verdict.decision


def _who(action: Action) -> dict[str, Any]:
    return {"action_id": action.id, "agent": action.agent.name, "session": action.agent.session}


def _brief(decision: Decision) -> dict[str, Any]:
    return {"decision": decision.decision, "source": decision.source, "message": decision.message}


def _within_requirements(toggles: Toggles, requirements: Requirements) -> Toggles:
    """The toggles with anything the requirements forbid pulled back to what they allow."""
    changes: dict[str, Any] = {}
    policies = requirements.allowed_approval_policies
    if policies is not None and toggles.approval_policy not in policies:
        changes["approval_policy"] = policies[0]
    modes = requirements.allowed_sandbox_modes
    if modes is not None and toggles.sandbox_mode not in modes:
        changes["sandbox_mode"] = modes[0]
    if requirements.unknown_hosts == "block":
        changes["unknown_hosts"] = "block"  # requirements only tighten
    return toggles.model_copy(update=changes) if changes else toggles


def _allowed(requirements: Requirements) -> dict[str, list[str]]:
    """The values the requirements allow for the toggles they limit (the console offers these)."""
    policies = requirements.allowed_approval_policies
    modes = requirements.allowed_sandbox_modes
    return {
        "approval_policy": list(policies or get_args(ApprovalPolicy)),
        "sandbox_mode": list(modes or get_args(SandboxMode)),
        "unknown_hosts": ["block"] if requirements.unknown_hosts == "block" else ["ask", "block"],
    }
