from django import forms

from intranet.search.pages import SORT_LABELS
from intranet.validation import IdField, TextField
from messaging.models import MAX_TITLE_LENGTH


class NewConversationForm(forms.Form):
    members = forms.TypedMultipleChoiceField(coerce=int, choices=())
    title = TextField(
        max_length=MAX_TITLE_LENGTH,
        required=False,
        label="Group name",
        help_text="Optional; only for three or more people.",
    )

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.TypedMultipleChoiceField)
        members.choices = [(p.pk, p.display_name) for p in people]


class SearchForm(forms.Form):
    """The search page's query string; the selector judges `q` itself."""

    q = TextField(required=False, strip=True, label="Search for")
    conversation = IdField(required=False, label="In")
    after = forms.DateField(required=False, label="On or after")
    before = forms.DateField(required=False, label="Before")
    cursor = forms.CharField(required=False, max_length=64)
    # Blank is the default, most relevant, as on /search/.
    sort = forms.ChoiceField(
        required=False, choices=list(SORT_LABELS.items()), label="Sort by"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "from" is the REST API's name too, but not a Python identifier.
        self.fields["from"] = IdField(required=False)
