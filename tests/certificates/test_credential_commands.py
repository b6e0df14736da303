"""The credential commands (#14): verify_credential, issue_credentials, rotate_issuer_key.

Credentials are issued for real through `certificates.services`; verify_credential reads the
files an employer would save from our public pages (the .jwt or .json download, did.json, the
status list), or fetches them itself from the live server.
"""

import base64
import datetime
import io
import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from certificates import services, verifying
from certificates.management.commands.verify_credential import Unusable, did_web_url
from certificates.models import Credential, Issuer, IssuerKey, StatusList
from programs.models import Enrollment
from tests.certificates import close, enrol, make_sessions
from tests.factories import InmateFactory, ProgramTopicFactory

ISSUED_ON = datetime.date(2025, 8, 8)
# `.invalid` never resolves: a command that went to the network for it would fail (exit 2).
BASE_URL = "https://pelatihan.example.invalid"
DID = "did:web:pelatihan.example.invalid:issuers:lpn-ksg"
NAMES = ("Ahmad Fauzi", "Budi Santoso", "Citra Lestari")


def issue(program, by, names=NAMES, *, count=None):
    """Enrol `names` (all attend both sessions), close `program` and issue the first `count`
    of them (all when None) their certificates of completion, 20 JP."""
    ProgramTopicFactory(program=program, order=0, title="Merangkai gelang", jp=20)
    sessions = make_sessions(program, 2)
    enrollments = [
        enrol(program, sessions, "HH", inmate=InmateFactory(facility=program.facility, full_name=n))
        for n in names
    ]
    close(program, by)
    return services.issue_certificates(
        program=program, by=by, enrollments=enrollments[:count], issued_on=ISSUED_ON
    )


def run(name, *args):
    """(exit status, stdout, stderr) of `manage.py <name> <args>`, as the shell would see them:
    a CommandError is Django's message on stderr and its return code."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue()


def save(client, folder, certificate, download="credential_jwt"):
    """Save, as an employer would, the certificate's credential (download `credential_jwt` or
    `credential_json`), its issuer's DID document and the status list it names; their paths."""
    code = certificate.verification_code
    credential = client.get(reverse(f"verify:{download}", args=[code])).content
    token = verifying.token_of(credential.decode())
    _header, payload = verifying.unverified(token)
    slug = payload["iss"].rsplit(":", 1)[1]
    status_url = payload["credentialStatus"]["statusListCredential"]
    files = {
        "credential": (folder / f"{code}.{download.removeprefix('credential_')}", credential),
        "did": (folder / "did.json", client.get(reverse("verify:issuer_did", args=[slug])).content),
        "status": (folder / "status.jwt", client.get(urlsplit(status_url).path).content),
    }
    for path, content in files.values():
        path.write_bytes(content)
    return {name: path for name, (path, _content) in files.items()}


def verify_files(paths, credential=None):
    return run(
        "verify_credential",
        credential or paths["credential"],
        "--did-document",
        paths["did"],
        "--status-list",
        paths["status"],
    )


@pytest.fixture
def _base_url(settings):
    settings.PUBLIC_BASE_URL = BASE_URL


@pytest.mark.usefixtures("_base_url")
@pytest.mark.parametrize("download", ["credential_jwt", "credential_json"])
def test_verify_credential_valid_from_files_reports_and_exits_0(
    client, program, admin_user, tmp_path, download
):
    [certificate, *_rest] = issue(program, admin_user)

    status, out, _err = verify_files(save(client, tmp_path, certificate, download))

    assert status == 0
    lines = out.splitlines()
    assert "Issuer       Lapas Narkotika Kelas IIA Kasongan" in lines
    assert f"Issuer DID   {DID}" in lines
    assert "Holder       Ahmad Fauzi" in lines
    assert "Achievement  Aksesoris Gelang dan Kalung Batu (20 JP)" in lines
    assert "Issued on    2025-08-08" in lines
    assert f"Signing key  {DID}#key-1" in lines
    assert "Signature    valid" in lines
    assert "Status       active (not revoked)" in lines
    assert lines[-1] == "Result       VALID"
    assert "Problem" not in out


def forge(path, folder, old, new):
    """A copy of the credential at `path` whose payload says `new` where it said `old`."""
    header, payload, signature = path.read_text().split(".")
    text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert text.count(old) == 1
    forged = base64.urlsafe_b64encode(text.replace(old, new).encode()).decode().rstrip("=")
    forgery = folder / "forged.jwt"
    forgery.write_text(f"{header}.{forged}.{signature}")
    return forgery


@pytest.mark.usefixtures("_base_url")
def test_verify_credential_tampered_payload_exits_1_with_the_signature_problem(
    client, program, admin_user, tmp_path
):
    [certificate, *_rest] = issue(program, admin_user)
    paths = save(client, tmp_path, certificate)
    # One character: the holder's name, as a forger would change it.
    forgery = forge(paths["credential"], tmp_path, "Ahmad Fauzi", "Ahmad Fauzy")

    status, out, err = verify_files(paths, forgery)

    assert status == 1
    assert "Holder       Ahmad Fauzy" in out
    assert "Signature    NOT valid: nothing above is vouched for by the issuer" in out
    assert "Problem      The signature does not match the credential's content." in out
    assert out.splitlines()[-1] == "Result       NOT VALID"
    assert err == "Not valid: The signature does not match the credential's content."


@pytest.mark.usefixtures("_base_url")
def test_verify_credential_prints_no_control_character_of_a_forgery(
    client, program, admin_user, tmp_path
):
    """A forged name that moves the cursor up and clears the line could hide the verdict."""
    [certificate, *_rest] = issue(program, admin_user)
    paths = save(client, tmp_path, certificate)
    forgery = forge(paths["credential"], tmp_path, "Ahmad Fauzi", "Ahmad\\u001b[1A\\u001b[2K")

    status, out, _err = verify_files(paths, forgery)

    assert status == 1
    assert "\x1b" not in out
    assert "Holder       Ahmad\N{REPLACEMENT CHARACTER}[1A\N{REPLACEMENT CHARACTER}[2K" in out


@pytest.mark.usefixtures("_base_url")
def test_verify_credential_revoked_exits_1(client, program, admin_user, tmp_path):
    [certificate, other, *_rest] = issue(program, admin_user)
    services.revoke_certificate(certificate=certificate, by=admin_user, reason="Salah nama")

    status, out, err = verify_files(save(client, tmp_path, certificate))

    assert status == 1
    assert "Signature    valid" in out
    assert "Status       REVOKED" in out
    assert err == "Not valid: revoked by its issuer."
    # The same list says the other holder's credential is still good.
    assert verify_files(save(client, tmp_path, other))[0] == 0


@pytest.mark.usefixtures("_base_url")
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("garbage", "is not a credential: This is not a signed credential"),
        ("missing", "Cannot read the credential"),
        ("wrapper", 'is not a credential: This JSON holds no credential (no "compactJws").'),
        ("did", "The DID document is not JSON."),
    ],
)
def test_verify_credential_unusable_input_exits_2_with_a_message(
    client, program, admin_user, tmp_path, damage, message
):
    [certificate, *_rest] = issue(program, admin_user)
    paths = save(client, tmp_path, certificate)
    if damage == "garbage":
        paths["credential"].write_text("Sertifikat Ahmad Fauzi, asli.\n")
    elif damage == "missing":
        paths["credential"].unlink()
    elif damage == "wrapper":
        paths["credential"].write_text(json.dumps({"credential": {"name": "Sertifikat"}}))
    else:
        paths["did"].write_text("<html>Not found</html>")

    status, out, err = verify_files(paths)

    assert status == 2
    assert message in err
    assert out == ""


def test_verify_credential_from_the_shell_exits_2_without_a_traceback(tmp_path):
    garbage = tmp_path / "sertifikat.jwt"
    garbage.write_text("not a credential")

    done = subprocess.run(
        [sys.executable, "manage.py", "verify_credential", str(garbage), "--did-document", "x"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "SECRET_KEY": "test-only-secret-key", "DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 2
    # (django-axes announces itself on stderr first.)
    assert done.stderr.strip().splitlines()[-1] == (
        f"CommandError: {garbage} is not a credential: "
        "This is not a signed credential (a compact JWS has three parts)."
    )
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("did", "url"),
    [
        (DID, "https://pelatihan.example.invalid/issuers/lpn-ksg/did.json"),
        (
            "did:web:127.0.0.1%3A8000:issuers:lpn-ksg",
            "https://127.0.0.1:8000/issuers/lpn-ksg/did.json",
        ),
        ("did:web:example.org", "https://example.org/.well-known/did.json"),
        (
            "did:web:example.org%3A8443:lapas:issuers:x",
            "https://example.org:8443/lapas/issuers/x/did.json",
        ),
    ],
)
def test_did_web_url_follows_the_did_web_method(did, url):
    assert did_web_url(did) == url
    assert did_web_url(did, allow_http=True) == url.replace("https://", "http://")


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:key:z6MkhaXgBZD", "is not a did:web identifier"),
        ("did:web:", "is not a did:web identifier"),
        ("did:web:a:b/c", "is not a did:web identifier"),
        (None, "is not a did:web identifier"),
        ("did:web:evil.example%2Fx", "names no valid host"),
        ("did:web:user%40evil.example", "names no valid host"),
    ],
)
def test_did_web_url_refuses_what_is_not_a_did_web(did, message):
    with pytest.raises(Unusable) as refused:
        did_web_url(did)
    assert message in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_verify_credential_over_http_resolves_the_did_and_fetches_the_list(
    client, live_server, settings, program, admin_user, tmp_path
):
    settings.PUBLIC_BASE_URL = live_server.url
    [certificate, *_rest] = issue(program, admin_user)
    path = save(client, tmp_path, certificate)["credential"]

    status, out, _err = run("verify_credential", path, "--allow-http")

    assert status == 0, out
    host = urlsplit(live_server.url).netloc.replace(":", "%3A")
    assert f"Issuer DID   did:web:{host}:issuers:lpn-ksg" in out
    assert "Status       active (not revoked)" in out

    services.revoke_certificate(certificate=certificate, by=admin_user, reason="Salah nama")
    status, out, _err = run("verify_credential", path, "--allow-http")
    assert status == 1
    assert "Status       REVOKED" in out


@pytest.mark.django_db(transaction=True)
def test_verify_credential_refuses_plain_http_without_allow_http(
    client, live_server, settings, program, admin_user, tmp_path
):
    settings.PUBLIC_BASE_URL = live_server.url
    [certificate, *_rest] = issue(program, admin_user)
    paths = save(client, tmp_path, certificate)
    did_url = f"https://{urlsplit(live_server.url).netloc}/issuers/lpn-ksg/did.json"
    status_url = f"{live_server.url}/issuers/lpn-ksg/status/1"

    # The did:web resolves to https, which the plain-HTTP server cannot answer.
    status, _out, err = run("verify_credential", paths["credential"], "--timeout", 5)
    assert status == 2
    assert err.startswith(f"Cannot fetch the issuer's DID document from {did_url}: ")
    assert err.endswith(
        "If the issuer's server speaks plain HTTP (an intranet), give --allow-http."
    )

    # The list the credential names is http://: refused before any connection.
    status, out, err = run("verify_credential", paths["credential"], "--did-document", paths["did"])
    assert status == 2
    assert err == (
        f"The status list is at {status_url}, over plain HTTP: refused. Give --allow-http to "
        "fetch it anyway (an intranet or a test server), or the file with --status-list."
    )
    assert out == ""


@pytest.mark.usefixtures("_base_url")
def test_issue_credentials_backfills_valid_certificates_once(
    client, program, other_program, other_partner, admin_user, tmp_path
):
    """Certificates issued before #14 (their credentials and issuers deleted here) get one,
    grouped by program and issuer; revoked ones and statements get none."""
    sessions = make_sessions(program, 2)
    for name in NAMES:
        enrol(
            program, sessions, "HH", inmate=InmateFactory(facility=program.facility, full_name=name)
        )
    released = enrol(
        program,
        sessions,
        ["H", ""],
        status=Enrollment.Status.RELEASED,
        ended_on=sessions[0].date,
        end_reason="Bebas",
    )
    close(program, admin_user)
    first, second, revoked = services.issue_certificates(
        program=program, by=admin_user, issued_on=ISSUED_ON
    )
    services.revoke_certificate(certificate=revoked, by=admin_user, reason="Salah nama")
    statement = services.issue_statement(enrollment=released, by=admin_user, issued_on=ISSUED_ON)
    other_partner.certificate_code = "LPK-MK"
    other_partner.save()
    other_program.discreet_issuing = True
    other_program.save()
    [discreet] = issue(other_program, admin_user, ["Dedi Kurniawan"])
    for model in (Credential, StatusList, IssuerKey, Issuer):
        model.objects.all().delete()

    status, out, _err = run("issue_credentials", "--dry-run")
    assert status == 0
    assert out.splitlines() == [
        "Aksesoris Gelang dan Kalung Batu (issuer: Lapas Narkotika Kelas IIA Kasongan): "
        "2 certificate(s) without a credential.",
        "Menjahit Dasar (issuer: LPK Multi Karya): 1 certificate(s) without a credential.",
        "3 certificate(s) would get a credential (dry run, nothing changed).",
    ]
    assert not Credential.objects.exists() and not Issuer.objects.exists()

    status, out, _err = run("issue_credentials")
    assert status == 0
    assert out.splitlines()[-1] == "3 credential(s) signed."
    signed = {c.certificate_id: c for c in Credential.objects.select_related("issuer")}
    assert set(signed) == {first.pk, second.pk, discreet.pk}
    assert signed[first.pk].issuer.facility == program.facility
    assert signed[discreet.pk].issuer.partner == other_partner
    assert statement.pk not in signed and revoked.pk not in signed
    # A backfilled credential is a real one.
    assert verify_files(save(client, tmp_path, first))[0] == 0

    status, out, _err = run("issue_credentials")
    assert status == 0
    assert out.splitlines() == ["0 credential(s) signed."]
    assert Credential.objects.count() == 3


@pytest.mark.usefixtures("_base_url")
def test_rotate_issuer_key_keeps_old_credentials_valid_and_signs_new_ones_with_key_2(
    client, program, admin_user, tmp_path
):
    [before] = issue(program, admin_user, count=1)

    status, out, _err = run("rotate_issuer_key", "lpn-ksg")

    assert status == 0
    assert out.splitlines() == [
        f"Lapas Narkotika Kelas IIA Kasongan: {DID}#key-1 replaced by {DID}#key-2 for signing "
        "(the old key stays published).",
        "1 issuer key(s) rotated.",
    ]
    document = client.get(reverse("verify:issuer_did", args=["lpn-ksg"])).json()
    assert [m["id"] for m in document["verificationMethod"]] == [f"{DID}#key-1", f"{DID}#key-2"]
    assert document["assertionMethod"] == [f"{DID}#key-1", f"{DID}#key-2"]
    status, out, _err = verify_files(save(client, tmp_path, before))
    assert status == 0
    assert f"Signing key  {DID}#key-1" in out

    [after] = services.issue_certificates(
        program=program,
        by=admin_user,
        enrollments=[Enrollment.objects.get(inmate__full_name="Budi Santoso")],
        issued_on=ISSUED_ON,
    )
    status, out, _err = verify_files(save(client, tmp_path, after))
    assert status == 0
    assert f"Signing key  {DID}#key-2" in out


@pytest.mark.usefixtures("_base_url")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lpn-ksg", "lpn-xyz"], "No issuer lpn-xyz; nothing changed. Issuers: lpn-ksg."),
        ([], "Name the issuers to rotate, or give --all (not both)."),
        (["lpn-ksg", "--all"], "Name the issuers to rotate, or give --all (not both)."),
    ],
)
def test_rotate_issuer_key_refuses_an_unknown_issuer_and_changes_nothing(
    program, admin_user, args, message
):
    issue(program, admin_user, count=1)

    status, out, err = run("rotate_issuer_key", *args)

    assert status == 1
    assert err == message
    assert out == ""
    assert list(IssuerKey.objects.values_list("issuer__slug", "number")) == [("lpn-ksg", 1)]


@pytest.mark.usefixtures("_base_url")
def test_rotate_issuer_key_all_rotates_every_issuer(program, admin_user):
    issue(program, admin_user, count=1)

    status, out, _err = run("rotate_issuer_key", "--all")

    assert status == 0
    assert out.splitlines()[-1] == "1 issuer key(s) rotated."
    assert list(IssuerKey.objects.values_list("number", flat=True)) == [1, 2]


@pytest.mark.usefixtures("_base_url")
def test_issue_credentials_stops_clearly_when_the_keys_cannot_be_opened(
    settings, program, admin_user
):
    issue(program, admin_user)
    Credential.objects.all().delete()
    # Another secret than the keys were stored with, as after a lost CREDENTIAL_KEY.
    settings.CREDENTIAL_KEY = "not-the-secret-the-keys-were-stored-with"

    status, out, err = run("issue_credentials")

    assert status == 1
    assert err == (
        "Stopped at Aksesoris Gelang dan Kalung Batu (issuer: Lapas Narkotika Kelas IIA "
        "Kasongan): The signing key of Lapas Narkotika Kelas IIA Kasongan cannot be opened: "
        "CREDENTIAL_KEY is not the secret it was stored with. Ask the server's administrator. "
        "0 credential(s) signed before it are kept; run again once this is fixed."
    )
    assert out == ""
    assert not Credential.objects.exists()
