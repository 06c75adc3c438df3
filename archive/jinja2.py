"""The Jinja2 environment the public pages are rendered with.

The admin stays on Django's templates. Jinja2 writes a list's rows at a fraction of
what Django's template language costs (bench/RESULTS.md), with the same autoescaping.
"""

import importlib
import pkgutil

import jinja2
from django.conf import settings
from django.templatetags.static import static
from django.utils import translation

import reports.templatetags
from reports.links import url_for

# Django's own engine renders these: the admin's overrides, and the API docs page, which
# extends drf-spectacular's template.
DJANGO_TEMPLATE_PREFIXES = ("admin/", "api/")


class PublicTemplateLoader(jinja2.FileSystemLoader):
    """templates/, less the folders Django's template engine owns."""

    def get_source(self, environment, template):
        if template.startswith(DJANGO_TEMPLATE_PREFIXES):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


def environment(**options):
    options["loader"] = PublicTemplateLoader(options.pop("loader").searchpath)
    # A missing value prints as nothing, as in Django's templates ({{ page.next.title }}).
    options["undefined"] = jinja2.ChainableUndefined
    options.pop("autoescape", None)  # always on: every value a page shows is escaped
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(
        translation.gettext,
        translation.ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    for module in pkgutil.iter_modules(reports.templatetags.__path__):
        importlib.import_module(f"reports.templatetags.{module.name}")
    env.filters.update(reports.templatetags.FILTERS)
    env.globals.update(reports.templatetags.GLOBALS, static=static, url=url_for)
    env.globals["archive_name"] = settings.ARCHIVE_NAME
    return env
