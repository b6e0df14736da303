from django.urls import reverse

from tests.factories import TrainingSessionFactory


def test_dashboard_anonymous_redirects_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_dashboard_shows_active_programs(client_for, admin_user, program, outside_program):
    response = client_for(admin_user).get(reverse("dashboard"))
    assert response.status_code == 200
    assert program.title in response.content.decode()
    assert outside_program.title not in response.content.decode()


def test_dashboard_trainer_sees_only_partner_program(
    client_for, trainer_user, program, other_program
):
    TrainingSessionFactory(program=program)
    response = client_for(trainer_user).get(reverse("dashboard"))
    page = response.content.decode()
    assert program.title in page
    assert other_program.title not in page
