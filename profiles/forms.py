import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone

from intranet.validation import TextField
from profiles.models import BIO_MAX, APIToken, Department, User
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
    """A directory cursor (profiles.selectors.decode_cursor), as its key."""

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
    """The directory's query string: a search, filters, an order, a page."""

    q = TextField(required=False, max_length=100, label="Find people")
    department = forms.ChoiceField(
        required=False,
        label="Department",
        error_messages={"invalid_choice": "Choose a department from the list."},
    )
    location = forms.ChoiceField(
        required=False,
        label="Location",
        error_messages={"invalid_choice": "Choose a location from the list."},
    )
    skill = TextField(required=False, max_length=40, label="Skill")
    new = forms.BooleanField(required=False, label="New starters only")
    sort = forms.ChoiceField(
        required=False,
        label="Order",
        choices=[("name", "By first name"), ("start", "Newest first")],
        error_messages={"invalid_choice": "Choose an order from the list."},
    )
    after = CursorField(required=False)
    before = CursorField(required=False)

    def __init__(
        self,
        *args,
        departments: Iterable[Department],
        locations: Iterable[str],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {d.slug: d for d in departments}
        department = self.fields["department"]
        assert isinstance(department, forms.ChoiceField)
        department.choices = [("", "All departments")] + [
            (d.slug, d.name) for d in self.departments.values()
        ]
        location = self.fields["location"]
        assert isinstance(location, forms.ChoiceField)
        location.choices = [("", "Anywhere")] + [(p, p) for p in locations]

    def clean_department(self) -> Department | None:
        return self.departments.get(self.cleaned_data["department"])

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "name"

    def clean(self) -> dict:
        data = super().clean() or {}
        # A page link made for one order does not fit another.
        width = 4 if data.get("sort") == "start" else 3
        for name in ("after", "before"):
            key = data.get(name)
            if key is not None and len(key) != width:
                self.add_error(name, CursorField.default_error_messages["invalid"])
        return data


def _time_zones() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(available_timezones())]


class ProfileForm(forms.Form):
    """What people say about themselves (profiles.services.OWN_FIELDS)."""

    photo = forms.FileField(
        required=False,
        help_text="PNG, JPEG, GIF or WebP, up to 5 MB. It is cropped to a square.",
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my photo")
    pronouns = TextField(
        required=False, max_length=40, help_text="For example: she/her, they/them."
    )
    phone = TextField(required=False, max_length=40)
    location = TextField(required=False, max_length=120, help_text="Office or city.")
    time_zone = forms.ChoiceField(choices=_time_zones)
    bio = TextField(
        required=False,
        max_length=BIO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"A few words about you and your work, up to {BIO_MAX} characters.",
    )
    skills = TextField(
        required=False,
        max_length=1000,
        label="Skills and expertise",
        help_text="Separated by commas: what people can ask you about.",
    )
    links = TextField(
        required=False,
        max_length=1200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One web address a line (https://…), up to five.",
    )

    def changes(self) -> dict[str, object]:
        """Return the cleaned data as profiles.services.update_profile takes it."""
        data = self.cleaned_data
        return {
            "pronouns": data["pronouns"],
            "phone": data["phone"],
            "location": data["location"],
            "time_zone": data["time_zone"],
            "bio": data["bio"],
            "skills": data["skills"].split(","),
            "links": data["links"].splitlines(),
        }


class OrgForm(forms.Form):
    """The organisation's facts about a person, HR's to change."""

    title = TextField(required=False, max_length=120, label="Job title")
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="None"
    )
    team = TextField(required=False, max_length=120)
    manager = forms.EmailField(
        required=False,
        label="Manager (email)",
        help_text="Leave empty for someone who reports to nobody.",
    )
    start_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_manager(self) -> int | None:
        email = self.cleaned_data["manager"]
        if not email:
            return None
        manager = User.objects.filter(email__iexact=email, is_active=True).first()
        if manager is None:
            raise forms.ValidationError("Nobody active has that email.")
        return manager.pk

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        department = data["department"]
        return {
            "title": data["title"],
            "department": department.pk if department else None,
            "team": data["team"],
            "manager": data["manager"],
            "start_date": data["start_date"],
        }


class StatusForm(forms.Form):
    """A custom status: an emoji, a few words, when it ends."""

    CLEAR_AFTER = [
        ("", "Keep it until I change it"),
        ("30m", "In 30 minutes"),
        ("1h", "In an hour"),
        ("4h", "In 4 hours"),
        ("today", "At the end of today"),
        ("week", "At the end of this week"),
        ("date", "At the end of the date below"),
    ]

    emoji = TextField(
        required=False,
        max_length=16,
        help_text="One emoji, for example 🌴 or 🤒.",
    )
    text = TextField(
        required=False,
        max_length=100,
        label="Status text",
        help_text="For example: On holiday until Monday.",
    )
    clear_after = forms.ChoiceField(
        choices=CLEAR_AFTER, required=False, label="Clear it"
    )
    until = forms.DateField(
        required=False,
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def expires_at(self, user: User) -> datetime.datetime | None:
        """Return when the chosen status ends, in `user`'s own time zone."""
        choice = self.cleaned_data.get("clear_after")
        now = timezone.now()
        here = now.astimezone(ZoneInfo(user.time_zone))
        end_of = datetime.time.max
        if choice == "30m":
            return now + datetime.timedelta(minutes=30)
        if choice == "1h":
            return now + datetime.timedelta(hours=1)
        if choice == "4h":
            return now + datetime.timedelta(hours=4)
        if choice == "today":
            return datetime.datetime.combine(here.date(), end_of, here.tzinfo)
        if choice == "week":
            sunday = here.date() + datetime.timedelta(days=6 - here.weekday())
            return datetime.datetime.combine(sunday, end_of, here.tzinfo)
        if choice == "date":
            until = self.cleaned_data.get("until")
            if until is None:
                return now  # refused by the service: "must end in the future"
            return datetime.datetime.combine(until, end_of, here.tzinfo)
        return None
