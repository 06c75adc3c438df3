from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Archive")

    def ready(self):
        from django.core import checks

        from archive.messages import check_compiled

        checks.register(check_compiled)

        from reports.models import Citation, FigureClaim, Report
        from reports.search.spanish import register
        from reports.signals import (
            CURATED_MODELS,
            CURATED_RELATIONS,
            bump_archive_state,
            key_quote,
            refresh_claimed,
            refresh_sources_claims,
            remember_claimed,
        )

        # SQLite's search triggers stem Spanish text with a Python function.
        connection_created.connect(register, dispatch_uid="spanish-stems")
        pre_save.connect(key_quote, sender=Citation, dispatch_uid="key-citation-quote")
        # Incident.killed, injured and hostages are the best estimates of the claims.
        pre_save.connect(remember_claimed, sender=FigureClaim, dispatch_uid="remember-claimed")
        post_save.connect(refresh_claimed, sender=FigureClaim, dispatch_uid="refresh-claimed")
        post_delete.connect(refresh_claimed, sender=FigureClaim, dispatch_uid="refresh-claimed")
        for source in (Report, Citation):
            uid = f"refresh-claims-{source._meta.model_name}"
            post_save.connect(refresh_sources_claims, sender=source, dispatch_uid=uid)

        for model in CURATED_MODELS:
            label = model._meta.label_lower
            post_save.connect(bump_archive_state, sender=model, dispatch_uid=f"bump-{label}")
            post_delete.connect(bump_archive_state, sender=model, dispatch_uid=f"bump-del-{label}")
        for relation in CURATED_RELATIONS:
            uid = f"bump-m2m-{relation._meta.label_lower}"
            m2m_changed.connect(bump_archive_state, sender=relation, dispatch_uid=uid)
