"""The visitors' forms. Each carries the guards' hidden fields (feedback/guards.py) and ties
its errors to its fields (`aria-invalid`, `aria-describedby`), for screen readers."""

from django import forms
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext_lazy as _

from . import guards
from .models import COMMENT_MAX_LENGTH, SUGGESTION_MAX_LENGTH, Answer
from .records import field_choices


class GuardedForm(forms.Form):
    """A form with a honeypot and a signed timestamp; `form_name` says which form it is."""

    form_name = ""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    issued = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[guards.TIMESTAMP_FIELD].initial = guards.issue_timestamp(self.stamp_name)
        if self.is_bound and not self._keeps_its_stamp():
            # Drawn again with a fresh stamp: the one sent was forged, or is too old.
            self.data = self.data.copy()
            self.data[guards.TIMESTAMP_FIELD] = self.fields[guards.TIMESTAMP_FIELD].initial

    def _keeps_its_stamp(self) -> bool:
        """Whether the form, drawn again (after an error), keeps the stamp it was sent with:
        the time the visitor first saw it, so that correcting a field is not "too fast"."""
        try:
            guards.check_timestamp(self.stamp_name, self.data.get(guards.TIMESTAMP_FIELD))
        except guards.Refused as refusal:
            return refusal.reason == guards.Refused.TOO_FAST
        return True

    @property
    def stamp_name(self) -> str:
        """What the signed timestamp is for (the form, and for page feedback, the page)."""
        return self.form_name

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field = self[name]
                described = [f"{field.auto_id}_error"]
                if field.help_text:
                    described.append(f"{field.auto_id}_helptext")
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": " ".join(described)}
                )


class PageFeedbackForm(GuardedForm):
    """Yes or No, for one public page (drawn on every page, cached, so no CSRF token)."""

    form_name = "page"

    page = forms.CharField(max_length=500, widget=forms.HiddenInput)
    answer = forms.ChoiceField(choices=Answer.choices)

    @staticmethod
    def stamp_for(page: str) -> str:
        """The stamp of the buttons drawn on `page`: valid for that page only."""
        return f"page|{page}"

    @property
    def stamp_name(self) -> str:
        return self.stamp_for(str(self.data.get("page", ""))[:500])

    def clean_page(self) -> str:
        page = self.cleaned_data["page"]
        language = get_language_from_path(page)
        match = None
        if language and page.startswith(f"/{language}/"):
            try:
                with translation.override(language):  # each language has its own paths
                    match = resolve(page)
            except Resolver404:
                pass
        if match is None or match.namespace != "cooperation" or not language:
            raise forms.ValidationError(_("This is not the address of a page of this site."))
        self.cleaned_data["language"] = language
        return page


class FeedbackCommentForm(GuardedForm):
    form_name = "comment"

    comment = forms.CharField(
        label=_("What were you looking for, or what was wrong? (optional)"),
        help_text=format_lazy(
            _(
                "Up to {limit} characters. Do not include personal information such as your "
                "email address or telephone number: we remove what we recognize."
            ),
            limit=COMMENT_MAX_LENGTH,
        ),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
    )


class CorrectionForm(GuardedForm):
    form_name = "correction"

    field = forms.ChoiceField(label=_("Which part of the record is wrong?"))
    suggestion = forms.CharField(
        label=_("What should it say?"),
        help_text=format_lazy(_("Up to {limit} characters."), limit=SUGGESTION_MAX_LENGTH),
        max_length=SUGGESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": SUGGESTION_MAX_LENGTH}),
    )
    source_url = forms.URLField(
        label=_("Address of a source that says so"),
        help_text=_(
            "A public page or document, for example https://www.canada.ca/…. Every fact on "
            "this portal cites a source, so a curator needs one to make the change."
        ),
        max_length=500,
        assume_scheme="https",
        # A text input with the address keyboard: a mistyped address is sent back as typed,
        # which an <input type=url> may not hold.
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address (optional)"),
        help_text=_("Only to ask you about this suggestion. It is never published."),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "email", "autocomplete": "email", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Choose a part")), *field_choices(model)]
