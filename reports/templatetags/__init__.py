"""Filters and globals of the public pages' Jinja2 environment (archive/jinja2.py).

Each module registers what it offers with @template_filter or @template_global, as
Flask's app.template_filter() does; they return data or text, and the template engine
escapes whatever they return unless it is a markupsafe.Markup built from escaped parts.
"""

FILTERS = {}
GLOBALS = {}


def template_filter(function):
    """Offer `function` to the templates as the filter `|name`."""
    FILTERS[function.__name__] = function
    return function


def template_global(function):
    """Offer `function` to the templates as the global `name(...)`."""
    GLOBALS[function.__name__] = function
    return function
