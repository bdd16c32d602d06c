"""Locust user for `manage.py bench_load`: requests, with no pause, one of the addresses listed
(one per line) in the file named by BENCH_PATHS_FILE, in turn."""

import itertools
import os

from locust import FastHttpUser, constant, task

with open(os.environ["BENCH_PATHS_FILE"], encoding="utf-8") as listing:
    PATHS = [line.strip() for line in listing if line.strip()]


class Visitor(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.paths = itertools.cycle(PATHS)

    @task
    def visit(self):
        self.client.get(next(self.paths), name="page")
