from django import forms


class NewConversationForm(forms.Form):
    members = forms.TypedMultipleChoiceField(coerce=int, choices=())
    title = forms.CharField(
        max_length=100,
        required=False,
        label="Group name",
        help_text="Optional; only for three or more people.",
    )

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.TypedMultipleChoiceField)
        members.choices = [(p.pk, p.display_name) for p in people]
