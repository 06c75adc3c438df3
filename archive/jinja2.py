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
from django.utils.translation import trans_real
from markupsafe import Markup

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
    # These serve a template rendered without a request (the 500 page); a page gets
    # the same functions bound to its language by translations() below.
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
    env.globals["default_language"] = settings.LANGUAGE_CODE
    # The 500 page has no context, so no `language`.
    env.globals["current_language"] = translation.get_language
    return env


def compile_templates(env):
    """Compile every public template now, as a worker starts (archive/wsgi.py), rather
    than on the first request that needs each."""
    for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
        if not name.startswith(DJANGO_TEMPLATE_PREFIXES):
            env.get_template(name)


def _filled(translated, variables):
    # The archive's own text, trusted as a template is; % escapes each variable into it.
    return Markup(translated) % variables  # noqa: S704


def translations(request):
    """Context processor: the page's language, and gettext and friends bound to it.

    They behave as jinja2.ext.i18n's "newstyle" functions (the translation is markup,
    its %(variables)s are escaped into it), but look the active language up once a
    page instead of once a string: through asgiref's locals, that lookup costs several
    times the translation itself, and a page translates dozens of strings.
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    catalog = trans_real.translation(language)

    def gettext(message, **variables):
        return _filled(catalog.gettext(message), variables)

    # Positional-only count: a page may pass its own `num`, the count as the language
    # writes it (reports/templatetags/formatting.py's number filter).
    def ngettext(singular, plural, count, /, **variables):
        variables.setdefault("num", count)
        return _filled(catalog.ngettext(singular, plural, count), variables)

    def pgettext(context, message, **variables):
        return _filled(catalog.pgettext(context, message), variables)

    def npgettext(context, singular, plural, count, /, **variables):
        variables.setdefault("num", count)
        return _filled(catalog.npgettext(context, singular, plural, count), variables)

    return {
        "language": language,
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "pgettext": pgettext,
        "npgettext": npgettext,
    }
