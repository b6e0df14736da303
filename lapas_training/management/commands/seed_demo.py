from django.core.management.base import BaseCommand

from lapas_training import demo


class Command(BaseCommand):
    help = (
        "Load the demo data (Lapas Narkotika Kelas IIA Kasongan, its partners, programs and "
        "inmates, a second facility and one account per role). Safe to run again."
    )

    def handle(self, *args, **options):
        accounts = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
        rows = [("username", "password", "role", "facility", "partner")] + [
            (
                user.username,
                demo.DEMO_PASSWORD,
                "superuser" if user.is_superuser else user.role,
                user.facility.name
                if user.facility
                else getattr(user.region, "name", "(all facilities)"),
                user.partner.name if user.partner else "",
            )
            for user in accounts
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]

        def line(cells):
            return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))

        self.stdout.write(line(rows[0]).rstrip())
        self.stdout.write(line(["-" * width for width in widths]))
        for row in rows[1:]:
            self.stdout.write(line(row).rstrip())
        # The address is make run's to print: it serves on the first free port.
        self.stdout.write("Log in with one of these accounts at the address the server prints.")
        self.stdout.write("(An account that existed before this run keeps its own password.)")
