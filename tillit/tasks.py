"""A django-tasks backend for the embedded default: tasks run in a thread of the web process.

``make serve`` (SQLite, ``runserver``) starts no worker process, yet a report must never be
rendered inside a request. ``ThreadBackend`` runs each task, in the order enqueued, in one
background thread of the process that enqueued it: the request returns at once and the page
shows progress. The queue lives in memory, so tasks still waiting when the process stops are
lost; what enqueues report renders asks again when someone next opens a report that has waited
too long (``reports.stored.STALE_AFTER``). Production uses the database backend and
``db_worker`` instead (README, "Background tasks").
"""

import logging
import queue
import threading
from typing import Any, TypeVar

from django.db import close_old_connections, connections
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id
from typing_extensions import ParamSpec

logger = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


class ThreadBackend(ImmediateBackend):
    """Runs tasks one at a time in a daemon thread, outside the request that enqueued them."""

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self._queue: queue.SimpleQueue[TaskResult] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                # A daemon, so stopping the server never waits for a render.
                self._thread = threading.Thread(
                    target=self._work, name=f"tasks-{self.alias}", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while True:
            task_result = self._queue.get()
            close_old_connections()
            try:
                self._execute_task(task_result)
            except BaseException:  # the thread must go on with the next task
                logger.exception("Task %s stopped", task_result.id)
            finally:
                # The thread's own connection: closed, so SQLite is not held open between tasks.
                connections.close_all()

    def enqueue(
        self,
        task: Task[P, T],
        args: P.args,  # type:ignore[valid-type]
        kwargs: P.kwargs,  # type:ignore[valid-type]
    ) -> TaskResult[T]:
        self.validate_task(task)
        task_result: TaskResult[T] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
            metadata={},
        )
        self._queue.put(task_result)
        self._ensure_thread()
        return task_result

    def save_metadata(self, result_id: str, metadata: dict[str, Any]) -> None:
        pass
