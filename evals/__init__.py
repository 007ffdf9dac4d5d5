"""The eval harness, its cases and baselines, and the component benchmarks.

Shipped in the wheel beside `briefing` so that an installed `briefing eval` runs the project's
own cases (the shared dev set is read from `BRIEFING_SHARED_DIR`, else `../shared` beside a
checkout).
"""
