"""Hook shims that put Warden in front of Claude Code, Codex CLI and Gemini CLI (stdlib only)."""
