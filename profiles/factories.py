"""Factories for people, shared by the tests and the demo company.

They build through the ORM directly; tests that exercise behaviour still call
services.
"""

import factory
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from profiles.models import Department, User

# The demo company's shared password, printed by `make run`.
DEMO_PASSWORD = "canteen-demo"  # noqa: S105

_password_hashes: dict[str, str] = {}


def hashed(password: str) -> str:
    """Hash once per process: hashing is slow on purpose, thousands of
    demo people need not pay it each."""
    if password not in _password_hashes:
        _password_hashes[password] = make_password(password)
    return _password_hashes[password]


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.LazyAttribute(lambda d: slugify(d.name))


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@canteen.test")
    password = factory.LazyFunction(lambda: hashed(DEMO_PASSWORD))
    title = factory.Faker("job")
    time_zone = "Europe/London"
    location = "London"
