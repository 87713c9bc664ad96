"""Who may use an API view: staff of a municipality with the view's role."""

from rest_framework import permissions

from core.staff import Role, membership_for


class HasRole(permissions.BasePermission):
    """Staff of a municipality with `role`; sets `request.municipality` for the view."""

    role: str
    message = "This account may not use this endpoint."

    def has_permission(self, request, view):
        membership = membership_for(request.user, role=self.role)
        if membership is None:
            return False
        request.municipality = membership.municipality
        return True


class CounterRole(HasRole):
    role = Role.COUNTER
    message = "Only counter staff (窓口) may use the case endpoints."


class EditorRole(HasRole):
    role = Role.EDITOR
    message = "Only catalog editors (編集者) may import or export the catalog."
