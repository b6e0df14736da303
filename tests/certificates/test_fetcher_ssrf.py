"""A holder's name made of markup prints as text and makes the renderer fetch nothing."""

import io
import socket
import threading

import pytest
from pypdf import PdfReader

from certificates.models import Certificate
from certificates.pdf import certificate_pdf
from tests.certificates.rows import make_certificate


@pytest.fixture
def listener():
    """A real TCP listener on loopback that records every connection it accepts."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(address)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_fetcher_ssrf_markup_in_a_name_is_printed_not_fetched(program, admin_user, listener):
    port, connections = listener
    img = f'<img src="http://127.0.0.1:{port}/x">'
    attachment = '<a rel="attachment" href="file:///etc/passwd">x</a>'
    first = make_certificate(program, admin_user, sequence=1, holder_name=img)
    second = make_certificate(program, admin_user, sequence=2, holder_name=attachment)
    certificates = (
        Certificate.objects.filter(pk__in=[first.pk, second.pk])
        .select_related("facility", "enrollment__program")
        .prefetch_related("enrollment__program__program_partners__partner")
        .order_by("sequence")
    )

    reader = PdfReader(io.BytesIO(certificate_pdf(certificates, language="en")))

    assert connections == []
    # Compared without whitespace: the long names wrap where the layout breaks lines.
    texts = ["".join(page.extract_text().split()) for page in reader.pages]
    assert "".join(img.split()) in texts[0]
    assert "".join(attachment.split()) in texts[2]
    names = reader.trailer["/Root"].get("/Names", {})
    assert "/EmbeddedFiles" not in names
    assert not reader.attachments
