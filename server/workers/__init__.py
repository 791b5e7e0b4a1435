"""Refresh workers: refreshes done by `kolscope worker` processes through a Celery queue on Redis.

With a broker (config BROKER, `serve --broker redis://...`, KOLSCOPE_BROKER) the app's refreshes are a
`BrokerRefreshes` (broker.py): one task per creator on the queue, each run's progress on a run board
in Redis (board.py) that GET .../refresh reads as it reads an in-process run. Workers (worker.py) each
keep their own browser, open the shared store (PostgreSQL) and share the platforms' rate budgets and
cool-downs through Redis (politeness.py). Without a broker nothing here is imported.
"""

from __future__ import annotations

from typing import Any


def cmd_worker(args: Any) -> int:
    """`kolscope worker` (server/cli.py names it here)."""
    # imported here, not at the top: the worker module imports Playwright's fetcher and Celery, which
    # the other users of this package (the app's BrokerRefreshes) do not need
    from server.workers.worker import cmd_worker as run

    return run(args)
