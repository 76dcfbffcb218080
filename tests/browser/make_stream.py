#!/usr/bin/env python3
"""A fixed stream for the browser test of `triage report` (examples/crisis.flow's fields): four days
(2026-11-20 to 2026-11-23 UTC) of a mention every 10 minutes over three channels, and on
2026-11-21 from 14:00:00 a burst of 30 outage posts 20 seconds apart that starts the outage crisis.
Deterministic: no randomness, so the test can pin counts and times."""
import json
import sys
from datetime import datetime, timedelta, timezone

CHANNELS = ["twitter", "facebook", "email"]
TOPICS = ["delays", "baggage", "refunds", "app"]
TEXTS = [
    ("My flight is delayed again, awful", -0.8),
    ("Thanks for the great service today", 0.9),
    ("How do I change my seat?", 0.0),
    ("Where is my refund?", -0.3),
    ("Lost my bag in Madrid", -0.6),
    ("Can I bring a guitar on board?", 0.1),
]


def main() -> None:
    start = datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc)
    burst = datetime(2026, 11, 21, 14, 0, tzinfo=timezone.utc)
    rows = []
    for i in range(4 * 24 * 6):
        text, sentiment = TEXTS[i % len(TEXTS)]
        rows.append((start + timedelta(minutes=10 * i), f"m{i}", text, sentiment, CHANNELS[i % 3], TOPICS[i % 4]))
    for j in range(30):
        rows.append((burst + timedelta(seconds=20 * j + 5), f"o{j}", f"The app is down, not working ({j % 3})",
                     -0.2, CHANNELS[j % 3], "app"))
    rows.sort(key=lambda r: r[0])
    out = sys.stdout
    for at, ident, text, sentiment, channel, topic in rows:
        out.write(json.dumps({"id": ident, "text": text, "channel": channel, "sentiment": sentiment, "topic": topic,
                              "author": {"followers": 100}, "posted_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")}) + "\n")


if __name__ == "__main__":
    main()
