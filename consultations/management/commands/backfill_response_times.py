from consultations import services
from staff.backfill import BackfillCommand


class Command(BackfillCommand):
    help = (
        "Fill in due times and times to first contact on stored requests that have none "
        "(requests from before these were recorded). Safe to run again: rows already filled "
        "are left alone unless --recompute is given."
    )
    record = "request"

    def backfill(self, recompute):
        return services.backfill_response_times(recompute=recompute)
