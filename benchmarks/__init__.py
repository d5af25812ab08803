"""Benchmarks and load scripts, run from the repository root as modules
(`python -m benchmarks.bench_locations`, `python -m benchmarks.loadtest`; see `make bench`,
`make loadtest`, `make audit`). The load and fault tests import the same helpers
(`from benchmarks import loadtest`)."""
