""""Mon espace" › "Mes notifications par courriel": the person turns the optional notices
(reminders, digests) that concern them on or off (``accounts.notices``)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core import personal_pages

from . import notices


def field_name(kind):
    """"advisors.convention_ending" → "advisors-convention_ending": no dot in the inputs'
    ids, which CSS selectors would read as a class."""
    return kind.replace(".", "-")


class NoticePreferencesForm(forms.Form):
    """One checkbox per optional notice of the person; ticked: received."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = notices.choices_of(user)
        self.kinds = {}
        for notice in notices.for_user(user):
            name = field_name(notice.kind)
            self.kinds[name] = notice.kind
            self.fields[name] = forms.BooleanField(
                label=notice.label, help_text=notice.description, required=False,
                initial=current.get(notice.kind, True))

    def choices(self) -> dict[str, bool]:
        return {self.kinds[name]: value for name, value in self.cleaned_data.items()}


@login_required
def notice_preferences(request):
    # The form as it is kept whole for this session (core.personal_pages): the person's
    # choices renew their version; who receives which notice, the apps' versions.
    personal_pages.depend(request, *notices.version_keys(request.user.pk))
    # Every box unticked posts no field at all: still a submission.
    form = NoticePreferencesForm(request.user,
                                 request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        notices.save_choices(request.user, form.choices())
        messages.success(request, "Vos choix de notifications sont enregistrés.")
        return redirect("accounts:notices")
    return render(request, "accounts/notice_preferences.html", {"form": form})
