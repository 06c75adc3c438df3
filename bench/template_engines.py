"""Time the same 25 list rows in Django's template language and in Jinja2.

The figure behind README's choice of Jinja2 for the public pages. Run it from the
project folder: .venv/bin/python bench/template_engines.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django  # noqa: E402

django.setup()

import jinja2  # noqa: E402
from django.template import engines  # noqa: E402

ROWS = [
    {
        "url": f"/incidents/incident-{i}/",
        "title": f"Car bomb <{i}>",
        "date": "12 May 1997",
        "type": "Bombing",
        "place": "Lima",
        "country": {"url": "/countries/PE/", "name": "Peru"},
        "perpetrators": [
            {"url": "/groups/sl/", "name": "Sendero Luminoso (SL)", "uncertain": i % 2}
        ],
        "killed": i if i % 3 else None,
        "injured": None,
    }
    for i in range(25)
]

# The same row in each language: links, texts, a loop, conditions, unknown figures.
DJANGO_ROW = """{% for r in rows %}
<li><a href="{{ r.url }}">{{ r.title }}</a>
<span class="meta">{{ r.date }} · {{ r.type }} · {% if r.place %}{{ r.place }}, {% endif %}<a href="{{ r.country.url }}">{{ r.country.name }}</a></span>
<span class="meta">Perpetrators: {% for p in r.perpetrators %}<a href="{{ p.url }}">{{ p.name }}</a>{% if p.uncertain %} (suspected){% endif %}{% if not forloop.last %}, {% endif %}{% empty %}not identified{% endfor %} · killed {% if r.killed is None %}unknown{% else %}{{ r.killed }}{% endif %}, injured {% if r.injured is None %}unknown{% else %}{{ r.injured }}{% endif %}</span></li>{% endfor %}"""  # noqa: E501
JINJA_ROW = """{% for r in rows %}
<li><a href="{{ r.url }}">{{ r.title }}</a>
<span class="meta">{{ r.date }} · {{ r.type }} · {% if r.place %}{{ r.place }}, {% endif %}<a href="{{ r.country.url }}">{{ r.country.name }}</a></span>
<span class="meta">Perpetrators: {% for p in r.perpetrators %}<a href="{{ p.url }}">{{ p.name }}</a>{% if p.uncertain %} (suspected){% endif %}{% if not loop.last %}, {% endif %}{% else %}not identified{% endfor %} · killed {% if r.killed is none %}unknown{% else %}{{ r.killed }}{% endif %}, injured {% if r.injured is none %}unknown{% else %}{{ r.injured }}{% endif %}</span></li>{% endfor %}"""  # noqa: E501


def median_ms(render, renders=400, runs=7):
    """Median over `runs` of the mean time of one render, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(renders):
            render()
        times.append((time.perf_counter() - start) / renders * 1000)
    return statistics.median(times)


def main():
    django_template = engines["django"].from_string(DJANGO_ROW)
    jinja_template = jinja2.Environment(autoescape=True).from_string(JINJA_ROW)
    assert (
        django_template.render({"rows": ROWS}).split() == jinja_template.render(rows=ROWS).split()
    )
    dtl = median_ms(lambda: django_template.render({"rows": ROWS}))
    jinja = median_ms(lambda: jinja_template.render(rows=ROWS))
    print(
        f"25 list rows: Django templates {dtl:.2f} ms, Jinja2 {jinja:.2f} ms ({dtl / jinja:.1f}x)"
    )


if __name__ == "__main__":
    main()
