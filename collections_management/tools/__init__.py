"""Helpers that are neither models nor pure algorithms: reading the
dashboards' data sources as the browser does (tests and benchmarks)."""
