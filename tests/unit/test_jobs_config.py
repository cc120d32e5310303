"""The job queue's settings: JOBS_URL is checked at start, and shown without its password."""

from __future__ import annotations

import pytest
from flask import Flask

from forumapp.config_rules import configuration_problems, jobs_url_problem
from forumapp.jobs.consumer import queue_location
from forumapp.jobs.queue import queue_url


@pytest.mark.parametrize(
    "url",
    ["sqlite:////var/lib/forumapp/jobs.sqlite3", "redis://127.0.0.1:6379/1", "rediss://h:1/0"],
)
def test_usable_job_queue_urls_pass(url: str) -> None:
    assert jobs_url_problem(url) is None


@pytest.mark.parametrize("url", ["sqlite:///", "memory://", "amqp://localhost", "jobs.sqlite3"])
def test_unusable_job_queue_urls_are_refused_naming_the_key(url: str) -> None:
    (problem,) = configuration_problems({"JOBS_URL": url})
    assert problem.startswith("JOBS_URL must be sqlite:////path/to/jobs.sqlite3 or redis://")


def test_job_settings_out_of_range_are_refused() -> None:
    problems = configuration_problems(
        {
            "JOBS_RETRIES": -1,
            "JOBS_RETRY_DELAY": 0,
            "JOBS_IMMEDIATE": "yes",
            "JOBS_LEASE_SECONDS": 0,
        }
    )
    assert [problem.split()[0] for problem in problems] == [
        "JOBS_IMMEDIATE",
        "JOBS_RETRIES",
        "JOBS_RETRY_DELAY",
        "JOBS_LEASE_SECONDS",
    ]


def test_the_default_queue_is_a_file_in_the_instance_folder() -> None:
    app = Flask("queue-test", instance_path="/srv/instance")
    app.config["JOBS_URL"] = None
    assert queue_url(app) == "sqlite:////srv/instance/jobs.sqlite3"
    assert queue_location(app) == "/srv/instance/jobs.sqlite3"


def test_the_queue_location_hides_a_redis_password() -> None:
    app = Flask("queue-test", instance_path="/srv/instance")
    app.config["JOBS_URL"] = "redis://:s3cret@redis.internal:6379/1"
    assert queue_location(app) == "redis://:***@redis.internal:6379/1"
