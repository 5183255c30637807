from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from the admin (and SSO/SCIM later): staff only.
        return settings.ALLOW_SIGNUP
