"""Benchmarks (``make bench``): one module per section, each with ``SECTION`` and ``run()``.

``run()`` returns a JSON-able dict; ``python -m bench`` runs every section (or those named on
the command line), merges them into ``build/bench.json`` and prints each section's table.
Figures are measured in the run that prints them; nothing here is a pass/fail test.
"""
