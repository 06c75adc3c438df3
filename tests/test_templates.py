"""The public pages' Jinja2 environment (archive/jinja2.py): which engine renders
what, the translations a page gets, and autoescaping."""

import pytest
from django.template import TemplateDoesNotExist, engines, loader
from django.test import RequestFactory
from django.utils import translation

from archive.jinja2 import DJANGO_TEMPLATE_PREFIXES, compile_templates, translations


def render_string(source, **context):
    """Render `source` as a page would be: with a request, so with its translations."""
    template = engines["jinja2"].from_string(source)
    return template.render(context, request=RequestFactory().get("/"))


def test_public_templates_are_jinja2_and_the_admin_s_are_django_s():
    assert loader.get_template("base.html").backend.name == "jinja2"
    assert loader.get_template("reports/includes/rows.html").backend.name == "jinja2"
    admin = loader.get_template("admin/reports/report/change_form.html")
    assert admin.backend.name == "django"
    assert loader.get_template("api/swagger_ui.html").backend.name == "django"
    with pytest.raises(TemplateDoesNotExist):
        engines["jinja2"].get_template("admin/base_site.html")


def test_every_public_template_compiles():
    env = engines["jinja2"].env
    env.cache.clear()
    compile_templates(env)
    names = {template.name for template in env.cache.values()}
    assert {"base.html", "reports/incident_list.html", "reports/includes/rows.html"} <= names
    assert not any(name.startswith(DJANGO_TEMPLATE_PREFIXES) for name in names)


def test_values_are_escaped_and_translations_fill_in_escaped_variables():
    html = render_string('{{ text }} {{ _("Search: %(query)s", query=text) }}', text="<script>&\"'")
    assert "<script>" not in html
    assert html.count("&lt;script&gt;&amp;&#34;&#39;") == 2


def test_a_page_translates_into_its_language_as_django_does():
    # Django's own catalogue has "Log out" in Spanish; the archive's has no entries yet.
    with translation.override("es"):
        page = render_string('{{ _("Log out") }}|{% trans %}Log out{% endtrans %}')
        assert page == f"{translation.gettext('Log out')}|{translation.gettext('Log out')}"
        assert page != "Log out|Log out"
    with translation.override("en"):
        assert render_string('{{ _("Log out") }}') == "Log out"


def test_plurals_get_their_number():
    source = '{{ ngettext("%(num)d report", "%(num)d reports", n) }}'
    assert render_string(source, n=1) == "1 report"
    assert render_string(source, n=3) == "3 reports"
    assert (
        render_string(
            "{% trans count=n %}{{ count }} group{% pluralize %}{{ count }} groups{% endtrans %}",
            n=2,
        )
        == "2 groups"
    )


def test_the_translations_of_a_page_and_of_a_page_without_request_agree():
    # The 500 page is rendered without a request: the environment's own gettext serves it.
    source = '{{ _("Page %(number)s of %(pages)s", number=2, pages="<3>") }}'
    without_request = engines["jinja2"].from_string(source).render({})
    assert without_request == render_string(source) == "Page 2 of &lt;3&gt;"
    assert set(translations(None)) == {
        "language",
        "_",
        "gettext",
        "ngettext",
        "pgettext",
        "npgettext",
    }
