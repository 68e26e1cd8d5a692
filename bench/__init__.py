"""Benchmarks: synthetic orgs (generate), measurements (measure, compute) and the report (run, report)."""
