"""The instant every test network's manual clock starts at: whole seconds, so timestamps show
without a fraction unless a test advances by one."""

from __future__ import annotations

from datetime import datetime, timezone

START = datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)
