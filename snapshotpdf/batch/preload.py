"""What a build's fork server imports before it forks workers (batch/workers.py, PRELOAD):
the worker's own module and the renderer with WeasyPrint, once for all the workers; then it
warms the starting build's renderer for them (workers.warm_server).

A renderer that cannot load here (a library missing) is not an error here: each worker then
imports it itself, and fails each city with the reason, as a spawned worker does.
"""

from __future__ import annotations

import contextlib

with contextlib.suppress(Exception):
    import snapshotpdf.render.html
    import snapshotpdf.render.layout
    import snapshotpdf.render.pdf  # noqa: F401
    from snapshotpdf.batch import workers

    workers.warm_server()
