import io

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Give a staff member an authenticator-app (TOTP) device for two-factor sign-in. "
        "Prints the setup link and a QR code to scan; show them to that person only."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the person's existing authenticator devices first (a lost phone).",
        )

    @transaction.atomic
    def handle(self, username, replace, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff, so cannot use the admin.")
        existing = TOTPDevice.objects.devices_for_user(user, confirmed=None)
        if existing.exists() and not replace:
            raise CommandError(
                f"{username!r} already has an authenticator device. "
                "Use --replace to remove it and make a new one."
            )
        existing.delete()
        # Confirmed at once: the person proves the phone works by signing in with it.
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)

        url = device.config_url
        self.stdout.write(f"Authenticator device created for {username}.")
        self.stdout.write("Scan this QR code with the authenticator app, or open the link:\n")
        qr = io.StringIO()  # segno writes in pieces; Django's stdout would add line breaks
        segno.make(url, error="m").terminal(out=qr, compact=True)
        self.stdout.write(qr.getvalue())
        self.stdout.write(f"\n{url}\n")
        self.stdout.write("Treat the link like a password: anyone with it can make sign-in codes.")
