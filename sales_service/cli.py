"""``flask --app sales_service <command>``: migrate, load-tariffs, seed-demo, create-user, and the
payment commands (apply-notifications, sweep-payments, simulate-payment)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from sales_service import db, migrate
from sales_service.accounts import services as accounts
from sales_service.errors import DomainError
from sales_service.pnbp import services as pnbp
from sales_service.roles import Role


def register_commands(app: Flask) -> None:
    for command in (migrate_command, load_tariffs_command, seed_demo_command, create_user_command,
                    new_migration_command, apply_notifications_command, sweep_payments_command,
                    simulate_payment_command):
        app.cli.add_command(command)


def run_in_transaction(action):
    """The one way a CLI command commits: run the service call, commit, and return its
    result; a domain error rolls everything back and ends the command with its message."""
    session = db.session()
    try:
        result = action(session)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    session.commit()
    return result


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Create or upgrade the database schema (Alembic, to the newest revision)."""
    with db.engine().begin() as connection:
        migrate.upgrade(current_app.config["DATABASE_URL"], connection=connection)
    click.echo("Database schema is up to date.")


@click.command("new-migration")
@with_appcontext
@click.argument("message")
def new_migration_command(message: str) -> None:
    """Write a new Alembic revision from the difference between models and database."""
    migrate.new_revision(current_app.config["DATABASE_URL"], message)


@click.command("load-tariffs")
@with_appcontext
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
def load_tariffs_command(directory: str | None) -> None:
    """Validate the tariff schedule files and store new or changed ones."""
    folder = directory or current_app.config["TARIFF_DIR"]
    results = run_in_transaction(lambda session: pnbp.load_tariff_dir(session, folder, loaded_by="cli"))
    for result in results:
        click.echo(f"{result.filename}: {result.code} version {result.version} ({result.status})")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Add the demo catalogue and one demo account per role (skips what exists)."""
    from sales_service.demo import seed_demo

    logins = run_in_transaction(seed_demo)
    click.echo("Demo accounts (e-mail / password):")
    for role, email, password in logins:
        click.echo(f"  {role:<10} {email:<28} {password}")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", "full_name", required=True, help="Full name as shown on documents.")
@click.option("--role", type=click.Choice([r.value for r in Role if r != Role.BUYER]), required=True)
@click.password_option(help="Asked for when not given (typed twice).")
def create_user_command(email: str, full_name: str, role: str, password: str) -> None:
    """Create a staff account (officer, treasurer or admin). Buyers register themselves."""
    user = run_in_transaction(lambda session: accounts.create_staff(
        session, email=email, password=password, full_name=full_name, role=Role(role)))
    click.echo(f"Created {user.role.value} {user.email}.")


def _gateway():
    from sales_service.invoices.gateway import configured_gateway

    return configured_gateway(current_app.extensions, current_app.config)


@click.command("apply-notifications")
@with_appcontext
def apply_notifications_command() -> None:
    """Apply every stored payment notification not applied yet (kept with an error, or left waiting)."""
    from sales_service.payments import services as payments
    from sales_service.payments.models import NotificationState

    pending = run_in_transaction(payments.pending_notifications)
    failed = 0
    for notification_id in pending:
        applied = run_in_transaction(lambda session, nid=notification_id: payments.apply_again(session, nid))
        if applied.state == NotificationState.FAILED:
            failed += 1
            click.echo(f"notification {notification_id}: still not applied: {applied.error}")
        else:
            click.echo(f"notification {notification_id}: {applied.state.value}")
    click.echo(f"{len(pending) - failed} applied, {failed} still failing.")


@click.command("sweep-payments")
@with_appcontext
@click.option("--after-minutes", default=60, show_default=True, type=click.IntRange(0, 60 * 24 * 30),
              help="Ask only about codes issued at least this long ago.")
def sweep_payments_command(after_minutes: int) -> None:
    """Ask the billing network about unpaid codes and record payments whose notification was lost."""
    from datetime import timedelta

    from sales_service.clock import utcnow
    from sales_service.payments import services as payments

    gateway = _gateway()
    found = run_in_transaction(lambda session: payments.sweep(
        session, gateway, now=utcnow(), after=timedelta(minutes=after_minutes)))
    for payment in found:
        click.echo(f"recorded {payment.ntpn} on {payment.billing_code}: Rp{payment.amount} ({payment.status.value})")
    click.echo(f"{len(found)} payment(s) found by the status inquiry.")


@click.command("simulate-payment")
@with_appcontext
@click.argument("code")
@click.option("--amount", type=click.IntRange(1, 10**15), help="Pay this many rupiah instead of the bill.")
@click.option("--twice", is_flag=True, help="Pay the code twice (two NTPNs: a double payment).")
@click.option("--silent", is_flag=True, help="Pay without a notification (only the sweep finds it).")
def simulate_payment_command(code: str, amount: int | None, twice: bool, silent: bool) -> None:
    """Pay a billing code through the simulated network (SALES_BILLING_GATEWAY=simulated only)."""
    from sales_service.invoices.gateway import SimulatedSimponi

    gateway = _gateway()
    if not isinstance(gateway, SimulatedSimponi):
        raise click.ClickException("simulate-payment works only with SALES_BILLING_GATEWAY=simulated.")
    for _ in range(2 if twice else 1):
        sent = run_in_transaction(lambda session: gateway.pay(session, code, amount=amount, notify=not silent))
        data = sent["body"]["data"]
        delivery = "not sent" if silent else (f"HTTP {sent['status']}" if sent["status"] else sent["error"])
        click.echo(f"paid {code}: Rp{data['amount']}, NTPN {data['ntpn']}; notification {delivery}")
