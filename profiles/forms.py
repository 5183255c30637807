from collections.abc import Iterable

from django import forms

from intranet.validation import TextField
from profiles.models import APIToken, Department
from profiles.selectors import decode_cursor


class TokenForm(forms.Form):
    name = TextField(
        max_length=100,
        help_text="What uses it, e.g. “Deploy bot”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=APIToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )
    expires_at = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Leave empty for a token that never expires.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CursorField(forms.CharField):
    """A directory cursor (profiles.selectors.encode_cursor), as its key."""

    default_error_messages = {
        "invalid": "That page link is broken: here is the start of the list.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return decode_cursor(value)
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None


class DirectoryForm(forms.Form):
    """The directory's query string: a search, a department, a page."""

    q = TextField(required=False, max_length=100, label="Find people")
    department = forms.ChoiceField(
        required=False,
        label="Department",
        error_messages={"invalid_choice": "Choose a department from the list."},
    )
    after = CursorField(required=False)
    before = CursorField(required=False)

    def __init__(self, *args, departments: Iterable[Department], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {d.slug: d for d in departments}
        department = self.fields["department"]
        assert isinstance(department, forms.ChoiceField)
        department.choices = [("", "All departments")] + [
            (d.slug, d.name) for d in self.departments.values()
        ]

    def clean_department(self) -> Department | None:
        return self.departments.get(self.cleaned_data["department"])
