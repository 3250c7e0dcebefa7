"""OpenTelemetry export: each audit record becomes a `warden.<event>` log record."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from gate.audit import AuditLog
from gate.otel import OtelSink, flatten, sink_from_env

sdk_logs = pytest.importorskip("opentelemetry.sdk._logs")
sdk_export = pytest.importorskip("opentelemetry.sdk._logs.export")
# Renamed in 1.39; the old name warns when used.
InMemory = getattr(sdk_export, "InMemoryLogRecordExporter", None) or sdk_export.InMemoryLogExporter


@pytest.fixture
def exported() -> Any:
    exporter = InMemory()
    provider = sdk_logs.LoggerProvider()
    provider.add_log_record_processor(sdk_export.SimpleLogRecordProcessor(exporter))
    yield OtelSink(provider), exporter
    provider.shutdown()


def records(exporter: Any) -> list[Any]:
    # LogData (older SDKs) wraps the record; ReadableLogRecord (newer) also has .log_record.
    return [item.log_record for item in exporter.get_finished_logs()]


def test_each_written_record_is_exported(tmp_path: Path, exported: Any) -> None:
    sink, exporter = exported
    with AuditLog(tmp_path / "audit.jsonl", on_record=sink) as log:
        written = log.write_sync(
            "action.decided",
            action_id="act-1",
            agent="claude-code",
            summary="git push --password hunter2",
            decision="allow",
            source="reviewer",
            reviewer={"risk": "low", "latency_ms": 812.5, "tokens": 431},
            rule=None,
        )
    (record,) = records(exporter)
    assert record.event_name == "warden.action.decided"
    assert record.body == "git push --password [REDACTED]"
    assert record.timestamp % 1_000_000 == 0  # ms precision, as in the file
    attributes = dict(record.attributes)
    assert attributes["seq"] == written["seq"] == 1
    assert attributes["prev"] == "0" * 64
    assert attributes["action_id"] == "act-1"
    assert attributes["reviewer.risk"] == "low"
    assert attributes["reviewer.tokens"] == 431
    assert attributes["rule"] == "null"


async def test_async_writes_are_exported_after_they_are_on_disk(
    tmp_path: Path, exported: Any
) -> None:
    sink, exporter = exported
    path = tmp_path / "audit.jsonl"

    def check_then_export(record: dict[str, Any]) -> None:
        assert f'"seq":{record["seq"]}'.encode() in path.read_bytes()
        sink(record)

    async with AuditLog(path, on_record=check_then_export) as log:
        await log.write("toggle.changed", name="auto_review", old=False, new=True)
    assert [r.event_name for r in records(exporter)] == ["warden.toggle.changed"]


def test_a_failing_exporter_never_fails_the_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(record: dict[str, Any]) -> None:
        raise ConnectionError("collector down")

    with AuditLog(tmp_path / "audit.jsonl", on_record=broken) as log:
        log.write_sync("action.result", action_id="act-1", exit_code=0)
    assert "exporting audit record 1 failed" in caplog.text


def test_flatten() -> None:
    assert flatten(
        {"a": {"b": 1, "c": {"d": "x"}}, "e": ["s"], "f": [1, 2], "g": None, "h": {}}
    ) == {
        "a.b": 1,
        "a.c.d": "x",
        "e": ["s"],
        "f": "[1, 2]",
        "g": "null",
        "h": "{}",
    }


def test_no_endpoint_means_no_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", raising=False)
    assert sink_from_env() is None


def test_an_endpoint_without_the_exporter_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        import opentelemetry.exporter.otlp.proto.http  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the otel extra is installed")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    with caplog.at_level(logging.WARNING):
        assert sink_from_env() is None
    assert "otel` extra" in caplog.text
