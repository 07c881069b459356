"""What the monitoring pages and the JSON API show, as plain functions over a
:class:`edge.web.view.ServiceView`: no HTTP here, so pages and API share them.

The results are pydantic models: attributes for templates, JSON for the API.
"""

from edge.web.queries.alerts import Alert, active_alerts, alerts_of_field
from edge.web.queries.devices import DeviceSummary, PointStatus, device_summaries, device_summary
from edge.web.queries.errors import BadParameterError, NotFoundError
from edge.web.queries.fields import (
    FieldSummary,
    KeyReading,
    Sparkline,
    field_summaries,
    field_summary,
)
from edge.web.queries.forecasts import (
    ForecastHistory,
    ForecastOut,
    forecast_history,
    latest_forecasts,
)
from edge.web.queries.health import HealthSummary, health_summary
from edge.web.queries.readings import (
    DEFAULT_POINTS,
    MAX_POINTS,
    HourPoint,
    RawPoint,
    ReadingSeries,
    Resolution,
    reading_series,
)

__all__ = [
    "DEFAULT_POINTS",
    "MAX_POINTS",
    "Alert",
    "BadParameterError",
    "DeviceSummary",
    "FieldSummary",
    "ForecastHistory",
    "ForecastOut",
    "HealthSummary",
    "HourPoint",
    "KeyReading",
    "NotFoundError",
    "PointStatus",
    "RawPoint",
    "ReadingSeries",
    "Resolution",
    "Sparkline",
    "active_alerts",
    "alerts_of_field",
    "device_summaries",
    "device_summary",
    "field_summaries",
    "field_summary",
    "forecast_history",
    "health_summary",
    "latest_forecasts",
    "reading_series",
]
