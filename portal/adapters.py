from allauth.account.adapter import DefaultAccountAdapter

from portal.roles import Role, role_group


class AccountAdapter(DefaultAccountAdapter):
    """Every account created by sign-up is a citizen."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user.groups.add(role_group(Role.CITIZEN))
        return user
