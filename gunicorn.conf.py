"""Gunicorn's settings for the service (read from the working directory by every gunicorn started
there: the Procfile's ``web:``, the benchmarks). Address and worker count stay on the command line.

Garbage collection: a page builds tens of thousands of short-lived objects, and with CPython's
default young-generation threshold (700) the collector ran several times per page, now and then
a full collection through every object of the loaded app: a quarter of the officer queue's p95
(in one process, 20,000 orders: 4.4 ms with the defaults, 3.3 ms with the settings below). Each
worker, once the app is loaded, moves what it loaded out of the collector's sight (``gc.freeze``:
those objects live as long as the worker) and collects young objects after 50,000 allocations
instead of 700; garbage without cycles is freed at once whatever the thresholds.
"""

import gc

YOUNG_GENERATION_THRESHOLD = 50_000
OLDER_GENERATION_THRESHOLDS = (20, 20)


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *OLDER_GENERATION_THRESHOLDS)
