"""Serving: the health check, the request log and hashed static files."""

import logging
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.content == b"database unavailable"


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
def test_each_request_is_logged_as_one_line_without_the_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger="archive.requests"):
        client.get(reverse("healthz") + "?secret=1")
        client.get("/no-such-page/")

    lines = [r.getMessage() for r in caplog.records if r.name == "archive.requests"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /healthz 200 ")
    assert lines[1].startswith("GET /no-such-page/ 404 ")
    assert "secret" not in "".join(lines)


def test_logging_goes_to_standard_output(settings):
    handler = settings.LOGGING["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["root"]["handlers"] == ["stdout"]


def test_collectstatic_builds_hashed_compressed_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())

    # The admin's stylesheet: big enough for whitenoise to think compressing worth it.
    css = tmp_path / "admin" / "css"
    hashed = [p.name for p in css.glob("base.*.css")]
    assert hashed, "no hashed copy of admin/css/base.css"
    assert (css / f"{hashed[0]}.gz").exists()
    assert any((tmp_path / "css").glob("archive.*.css"))
    assert (tmp_path / "staticfiles.json").exists()
