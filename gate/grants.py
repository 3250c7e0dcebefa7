"""Session grants: approvals "for this session", kept in the state dir across gate restarts."""

from __future__ import annotations

import builtins
import json
import logging
import os
from datetime import datetime
from pathlib import Path

from gate.model import Grant, GrantSpec
from gate.scopes import covers, covers_all, scopes_for
from rules.action import Action
from rules.atomic import write_atomic
from rules.model import PartVerdict, Verdict
from rules.paths import state_dir

__all__ = ["GrantStore", "covers", "covers_all", "scopes_for"]

VERSION = 1
log = logging.getLogger(__name__)


class GrantStore:
    """The session grants in force, saved to a JSON file (0600) on every change.

    A grant belongs to one agent session, or to every session when `all_sessions` is set.
    An unreadable file is moved aside and the store starts empty: losing grants only
    means the person is asked again.

    Args:
        path: the file; default `grants.json` in the state dir.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else state_dir() / "grants.json"
        self._grants: builtins.list[Grant] = self._load()

    def add(self, spec: GrantSpec, agent: str, session: str, action_id: str | None = None) -> Grant:
        """Grant a scope to an agent session (or to all sessions); an identical grant is reused.

        Args:
            spec: the scope and value approved.
            agent: the agent's name.
            session: the agent's session id.
            action_id: the action the person was answering.

        Returns:
            The grant in force.
        """
        for grant in self._grants:
            if _same(grant, spec, agent, session):
                return grant
        fields = {**spec.model_dump(), "agent": agent, "session": session, "action_id": action_id}
        grant = Grant.model_validate(fields)
        self._grants.append(grant)
        self._save()
        return grant

    def revoke(self, grant_id: str) -> Grant | None:
        """Remove a grant by id; returns it, or None when no grant has that id."""
        for grant in self._grants:
            if grant.id == grant_id:
                self._grants.remove(grant)
                self._save()
                return grant
        return None

    def end_session(self, agent: str, session: str) -> builtins.list[Grant]:
        """Remove the grants an agent session holds (all-sessions grants stay); returns them."""
        ended = [g for g in self._grants if _own(g, agent, session)]
        if ended:
            self._grants = [g for g in self._grants if not _own(g, agent, session)]
            self._save()
        return ended

    def matching(
        self, action: Action, part: PartVerdict | None, agent: str, session: str
    ) -> Grant | None:
        """The first grant in force for an agent session that covers one part of an action."""
        return next((g for g in self.list(agent, session) if covers(g, action, part)), None)

    def covering(
        self, action: Action, verdict: Verdict, agent: str, session: str
    ) -> builtins.list[Grant] | None:
        """The grants that together cover every part of an action that needs approval.

        Returns:
            One grant per such part (repeats removed), or None when a part is left
            uncovered, a part is blocked, or no part needs approval.
        """
        if verdict.decision == "block":
            return None
        found: builtins.list[Grant] = []
        for part in verdict.parts:
            if part.decision == "allow":
                continue
            grant = self.matching(action, part, agent, session)
            if grant is None:
                return None
            if grant not in found:
                found.append(grant)
        return found or None

    def list(self, agent: str | None = None, session: str | None = None) -> builtins.list[Grant]:
        """The grants in force for an agent session: its own and the all-sessions ones.

        Args:
            agent: the agent's name; None for every agent.
            session: the session id; None for every session.
        """
        return [
            g
            for g in self._grants
            if g.all_sessions
            or ((agent is None or g.agent == agent) and (session is None or g.session == session))
        ]

    def _load(self) -> builtins.list[Grant]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError(f"not a version {VERSION} grants file")
            items = data.get("grants")
            if not isinstance(items, list):
                raise ValueError("`grants` is not a list")
            return [Grant.model_validate(item) for item in items]
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            self._set_aside(exc)
            return []

    def _set_aside(self, problem: Exception) -> None:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            log.warning("grants file %s is unreadable (%s) and stays: %s", self.path, problem, exc)
            return
        log.warning(
            "grants file %s is unreadable (%s): moved to %s, starting with no grants",
            self.path,
            problem,
            aside,
        )

    def _save(self) -> None:
        grants = [g.model_dump(mode="json") for g in self._grants]
        text = json.dumps({"version": VERSION, "grants": grants}, indent=2) + "\n"
        try:
            if not self.path.parent.exists():
                self.path.parent.mkdir(mode=0o700, parents=True)
            write_atomic(self.path, text, mode=0o600)
        except OSError as exc:
            # The grants stay in force in memory; a restart forgets them (the person is asked).
            log.warning("cannot save grants to %s: %s", self.path, exc)


def _own(grant: Grant, agent: str, session: str) -> bool:
    return not grant.all_sessions and grant.agent == agent and grant.session == session


def _same(grant: Grant, spec: GrantSpec, agent: str, session: str) -> bool:
    """The same scope, value and access, for the same session (or both for all sessions)."""
    if (grant.scope, grant.value, grant.access, grant.all_sessions) != (
        spec.scope,
        spec.value,
        spec.access,
        spec.all_sessions,
    ):
        return False
    return spec.all_sessions or (grant.agent, grant.session) == (agent, session)
