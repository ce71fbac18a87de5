"""What operators watch: Prometheus metrics, readiness checks and structured logs.

* :mod:`warta.observability.metrics`: :class:`~warta.observability.metrics.Metrics`, one
  ``CollectorRegistry`` per :class:`~warta.services.Services` (never the global default one),
  served at ``/metrics`` by the web app and on ``WARTA_METRICS_PORT`` by worker processes;
* :mod:`warta.observability.health`: the checks behind ``/readyz`` (database, migrations,
  broker, models);
* :mod:`warta.observability.logs`: stdlib logging through structlog, JSON or console, configured
  once by the ``warta`` command.
"""

from __future__ import annotations
