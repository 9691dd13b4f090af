"""fakeconsul's benchmarks: every figure is a ratio to a baseline measured in the same run.

``python -m benchmarks`` (``make bench``) runs them all, prints a table and writes the figures as
JSON. Each module measures one thing and exposes ``run(sizes) -> list[Figure]``; goals are
reported, never asserted. See ``benchmarks/README.md`` for the recorded numbers.
"""
