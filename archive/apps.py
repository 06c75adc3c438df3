from django.contrib.admin.apps import AdminConfig


class ArchiveAdminConfig(AdminConfig):
    """django.contrib.admin with the archive's own site as admin.site."""

    default_site = "archive.admin_site.ArchiveAdminSite"
