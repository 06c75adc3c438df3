"""Readers' reports of errors: the public form, and the notice to the editors.

Anyone may write one, without an account, so everything here assumes hostile input:
the form bounds every field and has a honeypot, the view (reports/views.report_error)
is rate limited per client, the text is only ever shown escaped, and the archive never
writes to the address a reader types (an editor answers by hand, if at all).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.mail import mail_managers
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.forms import GROUP_FACTS, INCIDENT_FACTS
from reports.models import ErrorReport, Group, Incident, Report

# The entries a reader can report an error about, by the URL's kind.
SUBJECTS = {"report": Report, "incident": Incident, "group": Group}
FACTS = {"incident": INCIDENT_FACTS, "group": GROUP_FACTS}
HONEYPOT = "website"


class ErrorReportForm(forms.ModelForm):
    """What is wrong with `subject`, optionally which fact (an incident's or a group's)
    or which paragraph (a report's), and optionally where to reply."""

    paragraph_number = forms.IntegerField(
        label=_("Paragraph (its ¶ number)"), min_value=1, max_value=1_000_000, required=False
    )
    # Hidden from people by the stylesheet; a bot filling in every field fills this one.
    website = forms.CharField(label=_("Leave this empty"), required=False, max_length=200)

    class Meta:
        model = ErrorReport
        fields = ["fact", "message", "reply_to"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6, "cols": 60})}
        labels = {"fact": _("Which fact (optional)"), "reply_to": _("Your e-mail (optional)")}
        help_texts = {
            "message": _("What is wrong, and what the source says instead if you know."),
            "reply_to": _("Only if you would like an answer. It is not published."),
        }

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        self.kind = subject._meta.model_name
        if self.kind == "report":
            del self.fields["fact"]
        else:
            del self.fields["paragraph_number"]
            self.fields["fact"].choices = [("", "—"), *FACTS[self.kind]]

    def clean_website(self):
        if self.cleaned_data[HONEYPOT]:
            raise ValidationError(_("This field must be left empty."), code="honeypot")
        return ""

    def clean_paragraph_number(self):
        number = self.cleaned_data.get("paragraph_number")
        if number is None:
            return None
        paragraph = self.subject.paragraphs.filter(number=number).first()
        if paragraph is None:
            raise ValidationError(
                _("This report has no paragraph %(number)s."),
                code="no_paragraph",
                params={"number": number},
            )
        return paragraph

    def save(self, commit=True):
        report = super().save(commit=False)
        setattr(report, self.kind, self.subject)
        report.paragraph = self.cleaned_data.get("paragraph_number")
        if commit:
            report.save()
        return report


def notify_editors(error_report, request):
    """Tell settings.MANAGERS (if any) that a report arrived: a link, not the reader's text,
    so the form cannot be used to send anyone a message."""
    link = request.build_absolute_uri(
        reverse("admin:reports_errorreport_change", args=[error_report.pk])
    )
    mail_managers(
        gettext("A reader reported an error"),
        gettext("About %(subject)s. Read and triage it at %(link)s")
        % {"subject": error_report.subject._meta.verbose_name, "link": link},
        fail_silently=True,
    )
