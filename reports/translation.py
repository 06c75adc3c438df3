"""The editor-written text kept in English and Spanish (django-modeltranslation).

modeltranslation adds `<field>_en` and `<field>_es` columns beside each field registered
here. The original field stays the English text, the one column that the indexes, the
search triggers, the raw SQL of the lists, the bulk importers and the exports read; so
this module undoes three things modeltranslation does by default:

- it makes the original attribute read and write the active language's column; here
  `incident.title` is the English text on a Spanish page too, and pages ask
  reports.translated for the reader's language and its fallback;
- it rewrites lookups and ordering on a registered field to the active language's
  column (order_by("title") becoming title_es on a Spanish page): the lists sort on the
  indexed English column in both languages (EditorialQuerySet._post_init);
- its constructor writes `Incident(title=...)` into the active language's column as
  well, which on a Spanish page would make the English title the Spanish one; and it
  needs a post_init signal on every instance, a cost on every row of a list.

`<field>_en` mirrors the original on every save (reports.translated.mirror_english), for
whatever reads the library's own columns. Names are proper names and stay as they are: a
group's name is not translated, its description is.
"""

from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init
from modeltranslation.translator import TranslationOptions, delete_mt_init, register, translator

from reports.models import Group, Incident


@register(Incident)
class IncidentTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "outcome")
    empty_values = ""


@register(Group)
class GroupTranslationOptions(TranslationOptions):
    fields = ("description",)
    empty_values = ""


def keep_original_fields(model):
    """Give `model` back its original attributes and constructor, and its history the
    translations."""
    options = translator.get_options_for_model(model)
    history = model.history.model
    del model.__init__  # modeltranslation's; the model's own is Model's
    post_init.disconnect(delete_mt_init, sender=model)
    for name, translations in options.local_fields.items():
        setattr(model, name, DeferredAttribute(model._meta.get_field(name)))
        # simple_history built the historical model before these columns existed; it
        # copies every field of the entry, so it needs them to record a change at all.
        for field in sorted(translations, key=lambda field: field.name):
            history.add_to_class(field.name, field.clone())


for registered in (Incident, Group):
    keep_original_fields(registered)
