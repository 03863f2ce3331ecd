"""``make bench``: extraction quality, throughput and memory, side by side with baselines.

Run ``python -m benchmarks --help``. Only this package reads the shared evaluation pages
(``../shared/eval`` from the repository root); the product never does.
"""
