"""Four gunicorn workers on PostgreSQL and Redis behave like one server.

Rate limits count in Redis, so a client or an account gets the configured number of
failed logins in total, not once per worker; replies written at the same moment by
twenty members through different workers all land, numbered without gaps, with every
counter right.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.production.conftest import (
    LOGIN_ACCOUNT_LIMIT,
    LOGIN_LIMIT,
    POSTERS,
    WORKERS,
    Client,
    Deployment,
    background_traffic,
)

pytestmark = pytest.mark.slow

ATTEMPTS = 24
WRONG = "not the password at all"
REPLIES_EACH = 10


def not_limited(statuses: list[int]) -> int:
    assert set(statuses) <= {200, 429}, statuses
    return sum(status != 429 for status in statuses)


def test_failed_logins_of_one_account_from_one_client_hold_across_workers(
    deployment: Deployment,
) -> None:
    client = Client(deployment, "198.51.100.7")
    token = client.csrf_token()
    mark = deployment.log_mark()
    with background_traffic(deployment):
        statuses = [client.login("victim", WRONG, token) for _ in range(ATTEMPTS)]

    # The account limit is the smaller one: that many failures, then 429 only.
    assert not_limited(statuses) == LOGIN_ACCOUNT_LIMIT, statuses
    assert statuses == [200] * LOGIN_ACCOUNT_LIMIT + [429] * (ATTEMPTS - LOGIN_ACCOUNT_LIMIT)
    # The right password is refused too, from anywhere, until the window ends.
    assert Client(deployment, "198.51.100.99").login("victim") == 429
    served_by = Counter(deployment.worker_pids("POST", "/auth/login", since=mark))
    assert len(served_by) > 1, f"all attempts went to one worker: {served_by}"


def test_failed_logins_of_one_client_hold_across_workers(deployment: Deployment) -> None:
    client = Client(deployment, "198.51.100.8")
    token = client.csrf_token()
    # A new account name each time: only the per-client limit applies.
    mark = deployment.log_mark()
    with background_traffic(deployment):
        statuses = [client.login(f"ghost{n}", WRONG, token) for n in range(ATTEMPTS)]

    assert not_limited(statuses) == LOGIN_LIMIT, statuses
    assert len(set(deployment.worker_pids("POST", "/auth/login", since=mark))) > 1
    # The other accounts are not locked: another client logs in to one of them at once.
    assert Client(deployment, "198.51.100.9").login("poster00") == 302


def test_failed_logins_of_one_account_from_many_clients_hold_across_workers(
    deployment: Deployment,
) -> None:
    mark = deployment.log_mark()
    statuses = []
    with background_traffic(deployment):
        for n in range(ATTEMPTS):
            client = Client(deployment, f"203.0.113.{n + 1}")
            statuses.append(client.login("victim2", WRONG))

    assert not_limited(statuses) == LOGIN_ACCOUNT_LIMIT, statuses
    assert len(set(deployment.worker_pids("POST", "/auth/login", since=mark))) > 1


# Guards the attempt budgets (forumapp/auth/budgets.py): each attempt is counted before
# the password is checked, in one Redis step, so attempts in flight together cannot pass.
def test_simultaneous_failed_logins_do_not_get_past_the_account_limit(
    deployment: Deployment,
) -> None:
    # One failure short of the limit, each from its own address...
    for n in range(LOGIN_ACCOUNT_LIMIT - 1):
        assert Client(deployment, f"203.0.114.{n + 1}").login("victim3", WRONG) == 200
    # ...then one attempt per worker, all at the same moment: only one more may be tried.
    clients = [Client(deployment, f"203.0.115.{n + 1}") for n in range(WORKERS)]
    tokens = [client.csrf_token() for client in clients]
    start = threading.Barrier(WORKERS)

    def attempt(n: int) -> int:
        start.wait(timeout=30)
        return clients[n].login("victim3", WRONG, tokens[n])

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(attempt, range(WORKERS)))
    assert not_limited(statuses) == 1, statuses


def test_concurrent_replies_from_many_members_all_land_with_exact_counters(
    deployment: Deployment,
) -> None:
    members = [f"poster{n:02}" for n in range(POSTERS)]
    clients = {name: Client(deployment, f"192.0.2.{n + 10}") for n, name in enumerate(members)}
    for name, client in clients.items():
        assert client.login(name) == 302, name
    topic = deployment.topic_id
    tokens = {name: client.csrf_token(f"/topic/{topic}/reply") for name, client in clients.items()}

    def reply(job: tuple[str, int]) -> int:
        name, n = job
        form = {"content": f"Reply {n} from {name}", "csrf_token": tokens[name]}
        return clients[name].request(f"/topic/{topic}/reply", form)[0]

    jobs = [(name, n) for n in range(REPLIES_EACH) for name in members]
    with ThreadPoolExecutor(max_workers=POSTERS) as pool:
        statuses = list(pool.map(reply, jobs))

    assert not [status for status in statuses if status >= 500], Counter(statuses)
    assert Counter(statuses) == {302: len(jobs)}, deployment.logs()
    sent = len(jobs)
    scalar = deployment.scalar
    assert scalar("SELECT count(*) FROM posts WHERE topic_id = :t", t=topic) == sent + 1
    numbers = scalar(
        "SELECT count(DISTINCT number) FROM posts WHERE topic_id = :t AND number BETWEEN 1 AND :n",
        t=topic,
        n=sent + 1,
    )
    assert numbers == sent + 1, "post numbers must run from 1 without gaps or repeats"
    assert scalar("SELECT post_count FROM topics WHERE id = :t", t=topic) == sent + 1
    assert scalar("SELECT post_number_seq FROM topics WHERE id = :t", t=topic) == sent + 1
    assert scalar("SELECT post_count FROM forums WHERE id = :f", f=deployment.forum_id) == sent + 1
    assert scalar("SELECT topic_count FROM forums WHERE id = :f", f=deployment.forum_id) == 1
    last = scalar("SELECT max(id) FROM posts WHERE topic_id = :t", t=topic)
    last_number = scalar("SELECT number FROM posts WHERE id = :p", p=last)
    assert last_number == sent + 1
    assert scalar("SELECT last_post_id FROM topics WHERE id = :t", t=topic) == last
    assert scalar("SELECT last_post_id FROM forums WHERE id = :f", f=deployment.forum_id) == last
    for name in members:
        user_id = deployment.users[name]
        assert scalar("SELECT post_count FROM users WHERE id = :u", u=user_id) == REPLIES_EACH
        written = scalar("SELECT count(*) FROM posts WHERE user_id = :u", u=user_id)
        assert written == REPLIES_EACH, name
    served_by = Counter(deployment.worker_pids("POST", f"/topic/{topic}/reply"))
    assert len(served_by) == WORKERS, served_by
