from django import forms

from profiles.models import APIToken


class TokenForm(forms.Form):
    name = forms.CharField(
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
