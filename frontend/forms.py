from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from frontend.search import KIND_LABELS
from intranet.search.pages import SORT_LABELS
from intranet.validation import IdField


class QueryField(forms.CharField):
    """Any text: the query's reader turns NUL and other control characters
    into spaces, so a query is never refused for them."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class SearchForm(forms.Form):
    """The search page's query string; the selectors judge `q` themselves."""

    q = QueryField(required=False, strip=True, label="Search for")
    kind = forms.ChoiceField(
        required=False, choices=[("", "Everything"), *KIND_LABELS.items()]
    )
    space = IdField(required=False, label="In space")
    conversation = IdField(required=False, label="In conversation")
    author = IdField(required=False)
    after = forms.DateField(required=False, label="On or after")
    before = forms.DateField(required=False, label="Before")
    cursor = forms.CharField(required=False, max_length=64)
    # Blank is the default, most relevant; a link keeps what was chosen.
    sort = forms.ChoiceField(
        required=False, choices=list(SORT_LABELS.items()), label="Sort by"
    )
