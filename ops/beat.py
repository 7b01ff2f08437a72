"""Celery beat's scheduler, writing a heartbeat that the readiness check reads."""

import logging
import time

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 15  # seconds


class HeartbeatScheduler(PersistentScheduler):
    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_EVERY:
            from ops.health import beat_heartbeat

            try:
                beat_heartbeat()
                self._last_heartbeat = now
            except Exception:  # noqa: BLE001 - beat goes on; readiness will say it
                logger.warning("Beat heartbeat not written", exc_info=True)
        return min(super().tick(*args, **kwargs), HEARTBEAT_EVERY)
