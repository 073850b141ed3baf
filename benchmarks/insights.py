#!/usr/bin/env python
"""How fast the insights pages answer when they compute everything on the fly.

Creates a fresh data folder (SQLite, or the PostgreSQL database named by
``--database-url``), fills it with a realistic, heavy-tailed history: N contributions
(wall posts, comments, blog posts) from N/20 participants over 200 events and 24 months,
where a few people write a lot and most write once (Zipf-like, exponent 1.1), then requests
each insights page through Django (logged in as an admin, warm: two requests first) and
prints p50 / p95 / max over ``--repeat`` requests.

    .venv/bin/python benchmarks/insights.py                      # 100,000 contributions
    .venv/bin/python benchmarks/insights.py --contributions 1000000 --repeat 5
    .venv/bin/python benchmarks/insights.py --database-url postgres://postgres@127.0.0.1:5432/bench_insights

Nothing goes over the network except to the database; the data folder is removed at the
end, and so is the PostgreSQL database, which this script creates (``--keep`` keeps both).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="treffpunkt-bench-insights-"))
    os.environ["TREFFPUNKT_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "treffpunkt.settings"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        _recreate_postgres(args.database_url)
    try:
        return run(args)
    finally:
        if args.keep:
            print(f"data folder kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            if args.database_url:
                _drop_postgres(args.database_url)


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; migrated in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    event, blog = seed(args)
    # Fresh statistics, as autovacuum (PostgreSQL) or `treffpunkt manage dbshell` would
    # have them on a real site: without them PostgreSQL plans the bulk-filled tables as
    # empty and a page took 40 s instead of 0.6 s.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded and analyzed in {time.monotonic() - started:.1f} s")

    from django.test import Client

    from treffpunkt.accounts.actions import create_admin

    admin = create_admin("bench@example.org", "Bench Admin", "a-long-bench-pass-42")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    today = datetime.now(UTC).date()
    pages = [
        ("event page (largest wall)", f"/e/{event}/insights/"),
        ("event CSV", f"/e/{event}/insights/insights.csv"),
        ("blog page (largest blog)", f"/b/{blog}/insights/"),
        ("site page, all time", "/insights/"),
        ("site page, last 30 days", f"/insights/?start={today - timedelta(days=29)}"),
        ("site CSV, all time", "/insights/insights.csv"),
    ]
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for label, url in pages:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.repeat):
            begun = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - begun) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"[{args.contributions:,} contributions] {label}: p50={statistics.median(times):.0f}"
            f" p95={p95:.0f} max={times[-1]:.0f} ms ({args.repeat} requests,"
            f" {len(response.content) // 1024} KB)"
        )
    return 0


def seed(args: argparse.Namespace) -> tuple[str, str]:
    """The history, written with bulk inserts (the actions would take hours for a million
    rows; nothing here needs their side effects). Returns the hashtag of the largest event
    and the slug of the largest blog."""
    from django.db import transaction

    from treffpunkt.accounts.models import User
    from treffpunkt.blog.models import Blog, Post
    from treffpunkt.comments.models import Comment
    from treffpunkt.core.models import Participant
    from treffpunkt.events.models import Contribution, Event

    rng = random.Random(args.seed)
    total = args.contributions
    people = max(50, total // 20)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first_day = now - timedelta(days=30 * args.months)
    span = (now - first_day).total_seconds()

    with transaction.atomic():
        members = max(10, people * 15 // 100)
        remote = people * 5 // 100
        users = User.objects.bulk_create(
            [
                User(email=f"m{n}@bench.example", display_name=f"Mitglied {n}", is_author=n < 60)
                for n in range(members)
            ],
            batch_size=2000,
        )
        kinds = ["member"] * members + ["remote"] * remote + ["guest"] * (people - members - remote)
        participants = Participant.objects.bulk_create(
            [
                Participant(
                    kind=kind,
                    user=users[n] if kind == "member" else None,
                    device_id=f"{n:032x}" if kind == "guest" else "",
                    actor_url=f"https://remote.example/u/{n}" if kind == "remote" else "",
                    created_at=first_day,
                )
                for n, kind in enumerate(kinds)
            ],
            batch_size=2000,
        )
        # A heavy tail: the person of rank r is picked with weight 1 / r^1.1, in a shuffled
        # order so that every kind has its loud and its quiet ones.
        order = participants[:]
        rng.shuffle(order)
        cumulative = list(itertools.accumulate(1 / (rank**1.1) for rank in range(1, people + 1)))

        def someone() -> Participant:
            return order[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]

        organizer = users[0]
        events = []
        for n in range(args.events):
            start = first_day + timedelta(seconds=span * n / args.events, hours=10)
            events.append(
                Event(
                    title=f"Treffen {n}",
                    hashtag=f"Treffen{n}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=6),
                    short_code=f"b{n:07d}",
                )
            )
        events = Event.objects.bulk_create(events)
        Event.organizers.through.objects.bulk_create(
            [Event.organizers.through(event_id=e.pk, user_id=organizer.pk) for e in events]
        )
        # Larger events now and then: weights 1..10.
        event_weights = list(itertools.accumulate(rng.choice((1, 1, 2, 3, 10)) for _ in events))

        authors = [u for u in users if u.is_author]
        blogs = Blog.objects.bulk_create(
            [Blog(title=f"Blog {n}", slug=f"blog-{n}") for n in range(5)]
        )
        Blog.authors.through.objects.bulk_create(
            [
                Blog.authors.through(blog_id=blogs[n % 5].pk, user_id=author.pk)
                for n, author in enumerate(authors)
            ]
        )
        posts_wanted = max(20, total // 50)
        posts = Post.objects.bulk_create(
            [
                Post(
                    blog=blogs[n % 5 if n % 3 else 0],
                    author=authors[n % len(authors)],
                    title=f"Beitrag {n}",
                    slug=f"beitrag-{n}",
                    body="Text",
                    status=Post.Status.PUBLISHED,
                    published_at=first_day + timedelta(seconds=span * n / posts_wanted),
                )
                for n in range(posts_wanted)
            ],
            batch_size=2000,
        )
        comments_wanted = total * 35 // 100
        wall_wanted = total - posts_wanted - comments_wanted
        batch: list[Contribution] = []
        for _ in range(wall_wanted):
            event = events[bisect.bisect_left(event_weights, rng.random() * event_weights[-1])]
            batch.append(
                Contribution(
                    event=event,
                    participant=someone(),
                    text="Ein Gedanke",
                    state="visible" if rng.random() < 0.95 else "hidden",
                    created_at=event.starts_at + timedelta(minutes=rng.randint(0, 360)),
                )
            )
            if len(batch) == 5000:
                Contribution.objects.bulk_create(batch)
                batch = []
        Contribution.objects.bulk_create(batch)
        comments: list[Comment] = []
        for _ in range(comments_wanted):
            post = posts[rng.randrange(len(posts))]
            at = post.published_at + timedelta(minutes=rng.randint(1, 60 * 24 * 20))
            comments.append(
                Comment(
                    post=post,
                    participant=someone(),
                    author_name="Leserin",
                    body="Danke!",
                    status="approved" if rng.random() < 0.9 else "spam",
                    created_at=min(at, now),
                )
            )
            if len(comments) == 5000:
                Comment.objects.bulk_create(comments)
                comments = []
        Comment.objects.bulk_create(comments)

    busiest = (
        Contribution.objects.values("event__hashtag")
        .order_by()
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    print(
        f"history: {wall_wanted:,} wall posts, {comments_wanted:,} comments,"
        f" {posts_wanted:,} blog posts from {people:,} participants; {args.events} events over"
        f" {args.months} months; largest wall {busiest['n']:,} posts"
    )
    return busiest["event__hashtag"], blogs[0].slug


if __name__ == "__main__":
    sys.exit(main())
