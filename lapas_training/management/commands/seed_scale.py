from django.core.management.base import BaseCommand, CommandError

from lapas_training import scale


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with data at scale for benchmarks: facilities of very different "
        "sizes, partners, programs with sessions, enrolments, attendance, certificates, history "
        "and four accounts per facility. National size: --facilities 500 --inmates 300000 "
        "--attendance 2000000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--facilities", type=int, default=50)
        parser.add_argument("--inmates", type=int, default=30000)
        parser.add_argument("--attendance", type=int, default=200000)
        parser.add_argument("--seed", type=int, default=12, help="Seed of the random draws.")

    def handle(self, *args, facilities, inmates, attendance, seed, **options):
        if facilities < 1 or inmates < facilities or attendance < 0:
            raise CommandError("Give at least one facility and at least one inmate per facility.")
        self.stdout.write(
            f"Seeding {facilities:,} facilities, {inmates:,} inmates, about {attendance:,} "
            "attendance rows…"
        )
        try:
            report = scale.seed(
                facilities=facilities,
                inmates=inmates,
                attendance=attendance,
                random_seed=seed,
                progress=self.stdout.write,
            )
        except scale.DatabaseNotEmpty as error:
            raise CommandError(
                f"The database already holds {error.args[0]:,} facilities: seed_scale fills an "
                "empty database only, and changed nothing."
            ) from None
        counts = ", ".join(f"{count:,} {name}" for name, count in report.counts.items())
        rate = report.counts.get("attendance", 0) / report.elapsed if report.elapsed else 0
        self.stdout.write(self.style.SUCCESS(f"Done in {report.elapsed:.1f} s: {counts}."))
        self.stdout.write(f"{rate:,.0f} attendance rows per second (with their history rows).")
        self.stdout.write(
            f"Every account has the password {scale.SCALE_PASSWORD} (one shared hash): "
            "scale-root (superuser), kanwil-<region id>, and <unit code>-admin, -staff, -viewer, "
            "-trainer for each facility (e.g. la.kas001-admin)."
        )
