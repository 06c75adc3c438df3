"""The page in each of the archive's languages: the switcher and the hreflang links."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language_from_path, get_language_info
from jinja2 import pass_context

from reports.caching import page_query
from reports.templatetags import template_global


@dataclass(frozen=True)
class PageLanguage:
    code: str
    name: str  # in its own language: a reader looks for "Español", not "Spanish"
    url: str  # this page's path and query in that language
    current: bool


def name_local(language):
    """The language's name in itself, as a menu item: "Español", "English"."""
    name = get_language_info(language)["name_local"]
    return name[:1].upper() + name[1:]


def page_url_in(request, language):
    """This request's page in `language`: the same path under that language's prefix
    (none for the default language), the same query string (the parameters the page
    reads)."""
    path = request.path_info
    prefix = get_language_from_path(path)
    if prefix:
        path = path[len(prefix) + 1 :]  # "/es/reports/" -> "/reports/"
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    # The script prefix of a site served under a sub-path, as request.path has it.
    script = request.path[: len(request.path) - len(request.path_info)]
    query = page_query(request)
    return f"{script}{path}" + (f"?{query}" if query else "")


@template_global
@pass_context
def page_languages(context):
    """[PageLanguage] for every language, in settings.LANGUAGES order."""
    request = context.get("request")
    if request is None:  # the 500 page is rendered without one
        return []
    current = context.get("language") or settings.LANGUAGE_CODE
    return [
        PageLanguage(code, name_local(code), page_url_in(request, code), code == current)
        for code, _name in settings.LANGUAGES
    ]
