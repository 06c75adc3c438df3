"""The archive's admin site: Django's, with the editors' desk on its start page
(reports/desk.py). Installed as the default site by archive.apps.ArchiveAdminConfig."""

from django.contrib import admin
from django.contrib.auth.models import Group as Role
from django.utils.translation import gettext_lazy as _

from reports.desk import desk_for


class ArchiveAdminSite(admin.AdminSite):
    site_header = _("Archive administration")
    site_title = _("Archive admin")

    def index(self, request, extra_context=None):
        return super().index(request, {"desk": desk_for(request.user), **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        # Django's user groups are the editorial roles (reports/roles.py); "Groups" in
        # the sidebar would read as the archive's armed groups.
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                if model["model"] is Role:
                    model["name"] = _("Roles")
        return app_list
