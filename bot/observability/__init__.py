"""What an operator sees of a running bot: ``/healthz``, ``/readyz``, Prometheus ``/metrics`` and
structured logs. docs/operations.md lists every metric and what it means."""
