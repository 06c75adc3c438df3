"""URLs of the archive's pages without resolving the URLconf for each one.

Django's reverse() asks for the active language several times (through asgiref's
locals) on every call, and a page shows dozens of links. url_for() reverses each
(view, argument name) once per script prefix and language (a Spanish page's links
start with /es/), with a placeholder where the argument goes, and then only fills the
placeholder in. The cache never goes stale while the URLconf stays the same, as it
does in a process.
"""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

# Matches the <slug:…> and <str:…> converters the archive's URLs use.
PLACEHOLDER = "0placeholder0"


@lru_cache(maxsize=256)
def _parts(viewname, argument, script_prefix, language):
    if argument is None:
        return reverse(viewname), ""
    head, _, tail = reverse(viewname, kwargs={argument: PLACEHOLDER}).partition(PLACEHOLDER)
    return head, tail


def url_for(viewname, **kwargs):
    """reverse(viewname, kwargs=kwargs), for a view with at most one URL argument."""
    if not kwargs:
        return _parts(viewname, None, get_script_prefix(), get_language())[0]
    ((argument, value),) = kwargs.items()
    head, tail = _parts(viewname, argument, get_script_prefix(), get_language())
    # As reverse() quotes: slugs and country codes pass unchanged.
    return f"{head}{quote(str(value), safe='')}{tail}"
