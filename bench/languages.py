"""Pages in another language against the same pages in English, in-process: what reading
the catalogue and Babel's formats cost a page.

    .venv/bin/python bench/languages.py [--scale default] [--requests 200] [--language de]

Uses (building it first if needed) the benchmark's database of ``--scale``, like
``bench/run.py``, then requests the forum index and the longest topic's first page through
Flask's test client as a guest, with ``Accept-Language: en`` and with ``--language``,
interleaved (and alternating which goes first) so that a busy machine slows both alike.
Prints the median time of each and their ratio; the target is at most 1.10.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence

from flask.testing import FlaskClient
from inprocess import find_subjects, forumapp_app
from shape import (
    POSTS_PER_PAGE,
    SCALES,
    TOPICS_PER_PAGE,
    ensure_shape,
    instance_dir,
    isolate_environment,
)

WARMUP_REQUESTS = 20
#: The most a page in another language may cost, relative to English.
TARGET_RATIO = 1.10


def timed(client: FlaskClient, path: str, language: str) -> float:
    """Seconds one GET of ``path`` takes in ``language`` (which must answer 200)."""
    begin = time.perf_counter()
    response = client.get(path, headers={"Accept-Language": language})
    seconds = time.perf_counter() - begin
    if response.status_code != 200:
        raise RuntimeError(f"{path} in {language} answered {response.status_code}")
    html = response.get_data(as_text=True)
    if f'<html lang="{language}"' not in html:
        raise RuntimeError(f"{path} was not served in {language}: is it in LANGUAGES?")
    return seconds


def compare(client: FlaskClient, path: str, language: str, requests: int) -> tuple[float, float]:
    """Median seconds of ``path`` in English and in ``language``."""
    for _ in range(WARMUP_REQUESTS):
        timed(client, path, "en")
        timed(client, path, language)
    english: list[float] = []
    other: list[float] = []
    for turn in range(requests):
        if turn % 2:
            english.append(timed(client, path, "en"))
            other.append(timed(client, path, language))
        else:
            other.append(timed(client, path, language))
            english.append(timed(client, path, "en"))
    return statistics.median(english), statistics.median(other)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--language", default="de")
    args = parser.parse_args(argv)
    # The build and the app both read the benchmark's environment: isolate it first.
    isolate_environment(instance_dir(args.scale, args.seed))
    ensure_shape(args.scale, args.seed, rebuild=False)
    app = forumapp_app()
    subjects = find_subjects(app, TOPICS_PER_PAGE, POSTS_PER_PAGE, None)
    pages = {"index": "/", "topic": f"/topic/{subjects.long_topic_id}"}
    client = app.test_client()
    worst = 0.0
    print(f"{'page':<8} {'en':>9} {args.language:>9}  ratio  (median of {args.requests})")
    for name, path in pages.items():
        english, other = compare(client, path, args.language, args.requests)
        ratio = other / english
        worst = max(worst, ratio)
        print(f"{name:<8} {1000 * english:7.2f}ms {1000 * other:7.2f}ms  {ratio:.3f}")
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"Worst ratio {worst:.3f}: {verdict} the target of {TARGET_RATIO:.2f}.")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
