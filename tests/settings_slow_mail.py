"""Worker settings for the tests that kill a worker between rendering a mail and sending it:
each send waits a few seconds first, so "in between" is a window the test can hit every time."""

import time

from django.core.mail.backends.smtp import EmailBackend

from config.settings.local import *  # noqa: F403

MAIL_DELAY_SECONDS = 3
EMAIL_BACKEND = "tests.settings_slow_mail.SlowSMTPBackend"


class SlowSMTPBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(MAIL_DELAY_SECONDS)
        return super().send_messages(email_messages)
