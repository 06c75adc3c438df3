"""Production security settings: headers, cookies, HTTPS, CSP, login throttling."""

import importlib.util
import re
import secrets

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from reports.models import Report
from tests.factories import make_user

SETTINGS_PATH = django_settings.BASE_DIR / "archive" / "settings.py"


def load_settings_module(monkeypatch, **env):
    """Execute archive/settings.py afresh under `env`, as a separate module: without the
    replica suite's DATABASE_REPLICA_URLS unless `env` names some (they would refuse the
    SQLite primary a test may give)."""
    env = {"DATABASE_REPLICA_URLS": "", **env}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("production_settings", SETTINGS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def production(settings, monkeypatch):
    """The settings DJANGO_DEBUG=0 produces, applied over the test settings.

    The databases stay the test's (read from the primary, as tests/conftest.py has
    them), and static storage stays plain (the hashed manifest storage needs
    collectstatic; test_collectstatic_builds_hashed_names covers it).
    """
    module = load_settings_module(
        monkeypatch,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    kept = {"DATABASES", "DATABASE_REPLICAS", "DATABASE_ROUTERS", "STORAGES", "AXES_ENABLED"}
    for name in dir(module):
        if name.isupper() and name not in kept:
            setattr(settings, name, getattr(module, name))
    return settings


def test_production_settings_turn_off_debug_and_turn_on_https(production):
    assert production.DEBUG is False
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings_module(monkeypatch, DJANGO_DEBUG="0")


def test_ssl_redirect_can_be_left_to_a_tls_terminating_proxy(monkeypatch):
    module = load_settings_module(
        monkeypatch,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    assert module.SECURE_SSL_REDIRECT is False
    assert module.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
def test_every_security_header_is_sent_in_production(client, production):
    response = client.get(reverse("reports:home"), secure=True, headers={"host": "example.org"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(client, production):
    response = client.get(reverse("reports:home"), headers={"host": "example.org"})

    assert response.status_code == 301
    assert response["Location"] == "https://example.org/"


@pytest.mark.django_db
def test_proxy_forwarded_https_is_trusted_in_production(client, production):
    response = client.get(
        reverse("reports:home"),
        headers={"host": "example.org", "x-forwarded-proto": "https"},
    )

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


@pytest.mark.django_db
def test_health_check_is_not_redirected_to_https(client, production):
    response = client.get(reverse("healthz"), headers={"host": "example.org"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_csrf_and_session_cookies_are_secure_httponly_and_samesite(client, production):
    user = make_user("ada", role="Editors")
    login_url = reverse("admin:login")
    page = client.get(login_url, secure=True, headers={"host": "example.org"})
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"

    response = client.post(
        login_url,
        {"username": user.username, "password": "correct horse battery", "next": "/admin/"},
        secure=True,
        headers={"host": "example.org"},
    )

    assert response.status_code == 302
    session = response.cookies[production.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["reports:home", "admin:login"])
def test_pages_carry_no_inline_script_or_style_the_csp_would_block(client, url_name):
    html = client.get(reverse(url_name)).content.decode()

    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)


@pytest.mark.django_db
def test_admin_pages_load_scripts_from_files_only(admin_client):
    """So the CSP's script-src 'self' is all the admin needs (Django 5.2 keeps its
    page data in data- attributes of <script src> tags)."""
    call_command("loaddata", "peru_1997", verbosity=0)
    report = Report.objects.get()
    urls = [
        reverse("admin:index"),
        reverse("admin:reports_report_changelist"),
        reverse("admin:reports_report_change", args=[report.pk]),
        reverse("admin:reports_report_history", args=[report.pk]),
        reverse("admin:reports_incident_add"),
        reverse("admin:reports_citation_changelist"),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert not INLINE_SCRIPT.search(response.content.decode()), url


# --- Login throttling (django-axes) ---------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


@pytest.mark.django_db
def test_sixth_admin_login_is_locked_out_even_with_the_right_password(client, axes_on):
    user = make_user("ada", role="Editors")
    login_url = reverse("admin:login")
    for _attempt in range(axes_on.AXES_FAILURE_LIMIT):
        response = client.post(login_url, {"username": "ada", "password": "wrong guess"})
        assert "_auth_user_id" not in client.session

    response = client.post(
        login_url,
        {"username": user.username, "password": "correct horse battery", "next": "/admin/"},
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_fewer_bad_logins_than_the_limit_do_not_lock_out(client, axes_on):
    user = make_user("ada", role="Editors")
    login_url = reverse("admin:login")
    for _attempt in range(axes_on.AXES_FAILURE_LIMIT - 1):
        client.post(login_url, {"username": "ada", "password": "wrong guess"})

    response = client.post(
        login_url,
        {"username": user.username, "password": "correct horse battery", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_lockout_of_one_account_does_not_lock_another(client, axes_on):
    make_user("ada", role="Editors")
    other = make_user("grace", role="Editors")
    login_url = reverse("admin:login")
    for _attempt in range(axes_on.AXES_FAILURE_LIMIT):
        client.post(login_url, {"username": "ada", "password": "wrong guess"})

    response = client.post(
        login_url,
        {"username": other.username, "password": "correct horse battery", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
