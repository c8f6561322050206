from django.db import models


class LoginCode(models.Model):
    """A single-use code for the one-time login link. Only its hash is stored."""

    code_hash = models.CharField(max_length=64, primary_key=True)
    expires_at = models.FloatField(help_text="Unix time after which the code is refused")
    used_at = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "login_code"
