from appointments import services
from staff.backfill import BackfillCommand


class Command(BackfillCommand):
    help = (
        "Work out when stored bookings should be in the practice system (the enter-by time "
        "the dashboard counts against) where they have none: bookings from before it was "
        "kept. Safe to run again: bookings already filled are left alone unless --recompute "
        "is given."
    )
    record = "booking"

    def backfill(self, recompute):
        return services.backfill_enter_by(recompute=recompute)
