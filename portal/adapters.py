from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from portal.roles import Role


class AccountAdapter(DefaultAccountAdapter):
    """Every account created by sign-up is a citizen."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user.groups.add(Group.objects.get(name=Role.CITIZEN))
        return user
