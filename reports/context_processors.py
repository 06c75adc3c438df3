from django.conf import settings


def archive(request):
    """The archive's name, for the header, titles and "Cite this" lines."""
    return {"archive_name": settings.ARCHIVE_NAME}
