"""The offline verifier (static/verifier/credential-verifier.html), opened from a file in Chromium
with every network request refused, checking credentials the app issued against the DID document
and status list the app serves: what an employer does with a saved copy of the page."""

import base64
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from certificates import credentials, services
from certificates.models import CompetencyUnit
from tests.certificates import close, enrol, make_sessions
from tests.e2e.conftest import LAPTOP, TABLET
from tests.e2e.test_axe import AXE, RUN_AXE
from tests.factories import (
    InmateFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProgramTopicFactory,
)

pytestmark = pytest.mark.e2e

PAGE = Path(settings.BASE_DIR) / "static" / "verifier" / "credential-verifier.html"

# A file dropped onto a box, as a person drags it from their downloads.
DROP_FILE = """([name, text]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, {type: "application/json"}));
  return transfer;
}"""


def payload_of(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def did_json_path(did):
    """Where did:web resolves `did` (did:web:host:issuers:slug → /issuers/slug/did.json)."""
    return "/" + "/".join(did.split(":")[3:]) + "/did.json"


class Served:
    """A certificate's credential, its issuer's DID document and its status list, read through
    the public URLs an employer uses."""

    def __init__(self, client, certificate):
        code = certificate.verification_code
        self.jwt = client.get(reverse("verify:credential_jwt", args=[code])).content.decode()
        self.wrapper = client.get(reverse("verify:credential_json", args=[code])).content.decode()
        self.payload = payload_of(self.jwt)
        did = client.get(did_json_path(self.payload["iss"]))
        assert did.status_code == 200
        self.did_document = did.content.decode()
        status_url = self.payload["credentialStatus"]["statusListCredential"]
        status = client.get(urlsplit(status_url).path)
        assert status.status_code == 200
        self.status_list = status.content.decode()


@pytest.fixture
def issued(program, admin_user):
    """Two certificates of completion of a program of 10 JP with two competency units."""
    ProgramTopicFactory(program=program, title="Merangkai gelang", jp=10)
    CompetencyUnit.objects.create(
        program=program, code="C.10KRJ00.001.1", title="Menerapkan K3 di tempat kerja"
    )
    CompetencyUnit.objects.create(
        program=program, code="C.10KRJ00.012.1", title="Merangkai gelang batu alam"
    )
    sessions = make_sessions(program, 3)
    for name in ("Ahmad Fauzi", "Budi Santoso"):
        enrol(
            program,
            sessions,
            "HHH",
            inmate=InmateFactory(facility=program.facility, full_name=name),
        )
    close(program, admin_user)
    return services.issue_certificates(program=program, by=admin_user, issued_on=program.end_date)


@pytest.fixture
def offline_page(browser):
    """The verifier opened from its file, offline, every request not for a file refused.

    Yields the page; afterwards asserts the page asked for nothing but files and raised no
    script error.
    """
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    context.set_default_timeout(10_000)
    context.set_offline(True)
    requested = []

    def refuse_the_network(route):
        requested.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", refuse_the_network)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))
    page.goto(PAGE.as_uri())
    yield page
    context.close()
    assert [url for url in requested if not url.startswith("file:")] == []
    assert PAGE.as_uri() in requested
    assert errors == []


def in_english(page):
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Certificate Credential Verifier")).to_be_visible()


def check(page, credential, key, status_list=""):
    """Paste the three inputs and press Check, in either language (the labels are read by the
    tests that open the page)."""
    page.locator("#credential").fill(credential)
    page.locator("#key").fill(key)
    page.locator("#status").fill(status_list)
    page.locator("#check").click()
    return page.locator("#result")


def tampered(token):
    """`token` with one character of its payload changed, the payload still readable JSON whose
    content differs: only the signature can tell."""
    header, payload, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    original = payload_of(token)
    for position in range(len(payload) // 2, len(payload)):
        replacement = alphabet[(alphabet.index(payload[position]) + 1) % 64]
        changed = payload[:position] + replacement + payload[position + 1 :]
        try:
            content = payload_of(f"{header}.{changed}.{signature}")
        except ValueError:  # Not UTF-8 or not JSON any more: try the next character.
            continue
        if content != original:
            return f"{header}.{changed}.{signature}"
    raise AssertionError("no readable one-character change found")


def test_offline_verifier_says_valid_for_a_fresh_credential(offline_page, client, issued, program):
    served = Served(client, issued[0])
    page = offline_page
    # Indonesian first, as the product is.
    expect(page.get_by_role("button", name="Periksa")).to_be_visible()
    page.get_by_label("Kredensial (JWT atau JSON)").fill(served.jwt)
    page.dispatch_event(
        "#key",
        "drop",
        {"dataTransfer": page.evaluate_handle(DROP_FILE, ["did.json", served.did_document])},
    )
    expect(page.get_by_label("Dokumen DID atau kunci JWK")).to_have_value(served.did_document)
    page.get_by_role("button", name="Periksa").click()

    result = page.locator("#result")
    expect(result.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(result.get_by_role("heading", level=2).first).to_have_text("✓ SAH / VALID")
    expect(result).to_contain_text("Tanda tangan sah (ES256, kunci")
    expect(result).to_contain_text("Status pencabutan tidak diperiksa")

    in_english(page)
    expect(result).to_contain_text("The issuer's signature matches and every check passed.")
    expect(result).to_contain_text(
        "Revocation was not checked: that needs the status list from the issuer's site ("
        f"{served.payload['credentialStatus']['statusListCredential']})"
    )
    fields = {
        "holder": "Ahmad Fauzi",
        "achievement": program.title,
        "issuer": program.facility.name,
        "issuedOn": program.end_date.strftime("%-d %B %Y"),
        "credits": "10 JP",
        "credentialId": served.payload["id"],
    }
    for field, text in fields.items():
        expect(result.locator(f"dd[data-field={field}]")).to_have_text(text)
    expect(result.locator("dd[data-field=units] li")).to_have_text(
        [
            "C.10KRJ00.001.1 Menerapkan K3 di tempat kerja",
            "C.10KRJ00.012.1 Merangkai gelang batu alam",
        ]
    )


def test_offline_verifier_says_invalid_when_one_payload_character_changes(
    offline_page, client, issued
):
    served = Served(client, issued[0])
    in_english(offline_page)

    result = check(offline_page, tampered(served.jwt), served.did_document)

    expect(result.locator("[data-verdict]")).to_have_attribute("data-verdict", "invalid")
    expect(result).to_contain_text("TIDAK SAH / INVALID")
    expect(result.locator(".reasons")).to_have_text(
        "Signature does not match: the credential was altered, or not signed with this key."
    )
    expect(result).to_contain_text("This credential is not valid: what follows cannot be trusted.")


def test_offline_verifier_reads_the_revocation_bit_of_the_signed_status_list(
    offline_page, client, issued, admin_user, tmp_path
):
    revoked, kept = issued
    services.revoke_certificate(certificate=revoked, by=admin_user, reason="Salah nama")
    page = offline_page
    in_english(page)

    # The JSON download, chosen with the file input.
    served = Served(client, revoked)
    wrapper = tmp_path / "credential.json"
    wrapper.write_text(served.wrapper)
    page.get_by_label("Or choose the credential file:").set_input_files(wrapper)
    expect(page.get_by_label("Credential (JWT or JSON)")).to_have_value(served.wrapper)
    page.get_by_label("DID document or JWK").fill(served.did_document)
    page.get_by_label("Status list (JWT)").fill(served.status_list)
    page.get_by_role("button", name="Check").click()
    result = page.locator("#result")
    entry = served.payload["credentialStatus"]
    expect(result.locator("[data-verdict]")).to_have_attribute("data-verdict", "invalid")
    expect(result.locator(".reasons")).to_have_text(
        "REVOKED: the issuer has revoked this credential (status list "
        f"{entry['statusListCredential']}, entry {entry['statusListIndex']})."
    )

    served = Served(client, kept)
    result = check(page, served.jwt, served.did_document, served.status_list)
    entry = served.payload["credentialStatus"]
    expect(result.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(result).to_contain_text("SAH / VALID")
    expect(result).to_contain_text(
        f"Not revoked (status list {entry['statusListCredential']}, "
        f"entry {entry['statusListIndex']})."
    )
    expect(result).to_contain_text("Status list: Signature valid (ES256, key")


def test_offline_verifier_still_verifies_after_a_key_rotation(offline_page, client, issued):
    before = Served(client, issued[0])
    credentials.rotate_key(issued[0].credential.issuer)
    after = Served(client, issued[0])
    assert len(json.loads(after.did_document)["verificationMethod"]) == 2
    in_english(offline_page)

    result = check(offline_page, before.jwt, after.did_document, after.status_list)

    expect(result.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(result).to_contain_text(f"Signature valid (ES256, key {before.payload['iss']}#key-1).")


def test_offline_verifier_names_the_missing_key_of_another_issuers_did_document(
    offline_page, client, issued, other_facility, admin_user
):
    served = Served(client, issued[0])
    elsewhere = ProgramFactory(facility=other_facility)
    ProgramPartnerFactory(program=elsewhere)
    enrol(elsewhere, make_sessions(elsewhere, 1), "H")
    close(elsewhere, admin_user)
    [other] = services.issue_certificates(
        program=elsewhere, by=admin_user, issued_on=elsewhere.end_date
    )
    other_did = Served(client, other).did_document
    in_english(offline_page)

    result = check(offline_page, served.jwt, other_did)

    kid = f"{served.payload['iss']}#key-1"
    other_kid = f"{json.loads(other_did)['id']}#key-1"
    expect(result.locator("[data-verdict]")).to_have_attribute("data-verdict", "invalid")
    expect(result.locator(".reasons")).to_contain_text(
        f"Key {kid} is not in this DID document (keys listed: {other_kid}). "
        "Is this the right issuer's DID document?"
    )


@pytest.mark.parametrize(
    ("credential", "key", "message"),
    [
        (
            "Sertifikat Ahmad Fauzi",
            "did",
            "Box 1 is not a JWS: expected three parts separated by dots "
            "(header.payload.signature).",
        ),
        ("", "did", "Box 1 is empty: paste the credential"),
        ('{"credential": {}}', "did", 'The JSON in box 1 has no "compactJws".'),
        ("jwt", "{not json", "Box 2 is not valid JSON"),
        ("jwt", "", "Box 2 is empty: paste the issuer's DID document"),
        ("jwt", '{"name": "Lapas"}', "Box 2 is neither a DID document"),
        ("jwt", "jwt", "Box 2 seems to hold a credential or a status list."),
    ],
)
def test_offline_verifier_explains_input_it_cannot_check(
    offline_page, client, issued, credential, key, message
):
    served = Served(client, issued[0])
    stand_in = {"jwt": served.jwt, "did": served.did_document}
    in_english(offline_page)

    result = check(offline_page, stand_in.get(credential, credential), stand_in.get(key, key))

    expect(result.locator("[data-verdict]")).to_have_attribute("data-verdict", "error")
    expect(result).to_contain_text("TIDAK DAPAT DIPERIKSA / CANNOT BE CHECKED")
    expect(result.locator(".message")).to_contain_text(message)


def test_offline_verifier_fits_a_tablet_and_passes_axe(offline_page, client, issued):
    served = Served(client, issued[0])
    page = offline_page
    page.evaluate(AXE)

    found = []
    for viewport in (LAPTOP, TABLET):
        page.set_viewport_size(viewport)
        for credential, verdict in ((served.jwt, "valid"), (tampered(served.jwt), "invalid")):
            # In Indonesian and in English: the page's own words swap in place.
            for _language in ("id", "en"):
                page.locator("#language").click()
                check(page, credential, served.did_document, served.status_list)
                expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", verdict)
                found += [
                    f"{viewport['width']} px, {verdict}: {violation}"
                    for violation in page.evaluate(RUN_AXE)
                ]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    assert not found, "\n".join(found)
