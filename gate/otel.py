"""Export audit records as OpenTelemetry log records over OTLP (the optional `otel` extra)."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry._logs import LoggerProvider

ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
Attribute = str | bool | int | float | list[str]
log = logging.getLogger(__name__)


class OtelSink:
    """Emits each audit record as a log record named `warden.<event>`, its fields as attributes.

    Pass it to `AuditLog(on_record=...)`: it is called once a record is on disk. Nested fields
    are flattened with dots (`reviewer.risk`), lists of strings kept, other lists and None
    become JSON text; `seq` and `prev` go along, so the chain can be checked from the copy.
    """

    def __init__(self, provider: LoggerProvider) -> None:
        """Emit through `provider` (the SDK's, with the processors and exporters wanted).

        Args:
            provider: an OpenTelemetry `LoggerProvider`.
        """
        from opentelemetry._logs import LogRecord, SeverityNumber

        self._logger = provider.get_logger("warden.audit")
        self._record = LogRecord
        self._info = SeverityNumber.INFO

    def __call__(self, record: dict[str, Any]) -> None:
        """Emit one audit record."""
        when = datetime.fromisoformat(record["ts"])
        self._logger.emit(
            self._record(
                timestamp=int(when.timestamp() * 1_000_000) * 1000,
                severity_number=self._info,
                severity_text="INFO",
                event_name=f"warden.{record['event']}",
                body=record.get("summary") or record["event"],
                attributes=flatten(record),
            )
        )


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Attribute]:
    """`record` as OpenTelemetry attributes: dotted keys, primitive values.

    Args:
        record: a JSON-like dict.
        prefix: prepended to every key (with the dot).

    Returns:
        The attributes.
    """
    attributes: dict[str, Attribute] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            attributes.update(flatten(value, f"{name}."))
        elif isinstance(value, str | bool | int | float) or _strings(value):
            attributes[name] = value
        else:
            attributes[name] = json.dumps(value, sort_keys=True)
    return attributes


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def sink_from_env() -> OtelSink | None:
    """An OTLP/HTTP sink when an OTLP endpoint is configured, else None.

    The standard variables apply: `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` or
    `OTEL_EXPORTER_OTLP_ENDPOINT` turns export on, `OTEL_EXPORTER_OTLP_HEADERS`,
    `OTEL_SERVICE_NAME` and the rest are read by the SDK. Without the `otel` extra, a warning is
    logged and nothing is exported.

    Returns:
        The sink to pass to `AuditLog(on_record=...)`, or None.
    """
    if not any(os.environ.get(name) for name in ENDPOINT_VARS):
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.sdk._logs import LoggerProvider
        from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
        from opentelemetry.sdk.resources import Resource
    except ImportError:
        log.warning(
            "an OTLP endpoint is set, but the audit log is not exported: "
            "install Warden with the `otel` extra (warden-console[otel])"
        )
        return None
    name = os.environ.get("OTEL_SERVICE_NAME") or "warden"
    provider = LoggerProvider(resource=Resource.create({"service.name": name}))
    provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
    return OtelSink(provider)
