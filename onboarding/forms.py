from django import forms

from intranet.validation import TextField
from onboarding import imports
from onboarding.models import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, Journey, Step
from onboarding.services.journeys import FIRST_DAY, LAST_DAY


class JourneyForm(forms.Form):
    name = TextField(max_length=120)
    kind = forms.ChoiceField(choices=Journey.Kind.choices)


class StepForm(forms.Form):
    title = TextField(max_length=MAX_TITLE_LENGTH)
    owner = forms.ChoiceField(choices=Step.Owner.choices, label="Who does it")
    due_day = forms.IntegerField(
        min_value=FIRST_DAY,
        max_value=LAST_DAY,
        label="Due on day",
        help_text="Days from the start date: -3 is three days before, 1 the "
        "first day after, 90 the ninetieth.",
    )
    description = TextField(
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown.",
    )
    link = forms.URLField(required=False, assume_scheme="https")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: " + ", ".join(imports.COLUMNS) + ", and optionally "
        "buddy_email. Dates as 2026-12-07, time zones as Europe/Lisbon.",
    )
    journey = forms.ModelChoiceField(queryset=Journey.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        journeys = Journey.objects.order_by("kind", "name")
        field = self.fields["journey"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = journeys
        first = journeys.filter(kind=Journey.Kind.NEW_STARTER).first()
        if first is not None:
            field.initial = first.pk


class BuddyForm(forms.Form):
    email = forms.EmailField(label="Buddy's email")


class EnrollForm(forms.Form):
    """HR enrolls one person. The buddy is proposed when left empty; the
    "Propose a buddy" button fills it in first, so HR can change it."""

    email = forms.EmailField(
        label="Person's work email",
        help_text="Someone already in the directory (add new people by import).",
    )
    start_date = forms.DateField(
        label="Start date",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="Their first day (a returner's first day back).",
    )
    journey = forms.ModelChoiceField(queryset=Journey.objects.none())
    away_since = forms.DateField(
        label="Away since (returners)",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="The day their leave began: their first page shows what "
        "they missed since.",
    )
    buddy_email = forms.EmailField(
        label="Buddy's work email",
        required=False,
        help_text="Leave empty to have one proposed.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["journey"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Journey.objects.order_by("kind", "name")


class TaskForm(forms.Form):
    """A task from a post or a message: for me, or someone's email."""

    title = TextField(max_length=MAX_TITLE_LENGTH, label="What to do")
    assignee_email = forms.EmailField(
        label="For (work email)",
        required=False,
        help_text="Leave empty for yourself.",
    )
    due_date = forms.DateField(
        label="Due", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
