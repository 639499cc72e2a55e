"""Synthetic incident extracts for trying the pipeline, for tests and for benchmarks: never
production data."""
