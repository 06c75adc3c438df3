"""The Makefile's Chromium step: `make test` gets the browser tests' Chromium or stops
before running anything, saying in one line what to install."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MAKE = shutil.which("make")
# A make of its own, not a sub-make of `make test` (whose messages say "make[1]").
ENV = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}

pytestmark = pytest.mark.skipif(MAKE is None, reason="needs make")


def make_chromium(**variables):
    return subprocess.run(  # noqa: S603 - the project's own Makefile, fixed arguments
        [MAKE, "--no-print-directory", "chromium", *(f"{k}={v}" for k, v in variables.items())],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_chromium_in_place_is_used_as_it_is():
    done = make_chromium(CHROMIUM="/bin/sh", APT_GET="/nonexistent/apt-get")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_without_chromium_or_apt_get_it_stops_saying_what_to_install(tmp_path):
    done = make_chromium(CHROMIUM=tmp_path / "chromium", APT_GET="/nonexistent/apt-get")
    assert done.returncode != 0
    [message] = [line for line in done.stderr.splitlines() if not line.startswith("make:")]
    assert message.startswith("make test needs Chromium for its browser tests: install Debian's")


def test_make_test_gets_chromium_before_any_test():
    plan = subprocess.run(  # noqa: S603 - the project's own Makefile, fixed arguments
        [MAKE, "--no-print-directory", "-n", "test", "CHROMIUM=/nonexistent/chromium"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert plan.index('test -x "/nonexistent/chromium"') < plan.index("-m pytest")
