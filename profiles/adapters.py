import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from the admin (and SSO/SCIM later): staff only.
        return settings.ALLOW_SIGNUP

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed sign-ins per key (ACCOUNT_RATE_LIMITS
        # "login_failed"); its key is the account alone, so anyone could
        # lock a colleague out with five wrong passwords. Keyed by account
        # and address, only the guessing address is locked out; the
        # per-address limit stops it moving on to other accounts.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{self._throttle_address(request)}"

    def _throttle_address(self, request) -> str:
        address = self.get_client_ip(request)
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return address
        if ip.version == 6:
            # One machine usually holds a whole /64, as allauth assumes for
            # its per-address limits.
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)
