"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins made through a request (the login pages).

    authenticate() without a request (the test client's login(), a shell) has no client
    address to lock out; axes would refuse it, this lets ModelBackend decide.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
