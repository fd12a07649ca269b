from allauth.account.adapter import DefaultAccountAdapter

from portal.client_ip import client_ip
from portal.roles import Role, role_group


class AccountAdapter(DefaultAccountAdapter):
    """Every account created by sign-up is a citizen."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user.groups.add(role_group(Role.CITIZEN))
        return user

    def get_client_ip(self, request):
        """The address allauth's rate limits key on: the same rule as the look-up's limit."""
        return client_ip(request)
