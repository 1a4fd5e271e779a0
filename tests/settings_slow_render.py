"""Worker settings for the tests that kill a worker in the middle of rendering: each render
takes a few seconds longer, so "in the middle" is a window the test can hit every time."""

from celery.signals import worker_process_init

from config.settings.local import *  # noqa: F403

RENDER_DELAY_SECONDS = 3


@worker_process_init.connect
def _slow_rendering(**kwargs):
    import time

    from pledges.services import certificates

    render = certificates.render_pdf

    def slow_render(data):
        time.sleep(RENDER_DELAY_SECONDS)
        return render(data)

    certificates.render_pdf = slow_render
