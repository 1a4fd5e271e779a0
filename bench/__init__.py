"""Benchmarks, their settings and their data: never shipped (see bench/README.md).

Also a Django app, installed only by bench.settings, bench.dev_settings and the tests'
settings, for its ``seed_bulk`` command.
"""
