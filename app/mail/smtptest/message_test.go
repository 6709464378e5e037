package smtptest

import (
	"strings"
	"testing"
)

func TestParseBase64AndQuotedPrintableParts(t *testing.T) {
	raw := strings.ReplaceAll(`From: =?UTF-8?q?Commune_de_Malemort?= <noreply@example.org>
To: "Parent" <p@example.fr>
Subject: =?UTF-8?b?UsOpc2VydmF0aW9uIHZhbGlkw6llIQ==?=
Message-ID: <x@example.org>
Date: Thu, 27 Nov 2025 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

RGVtYW5kZSB2YWxpZMOpZQ==
--b1
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

<p>Demande valid=C3=A9e</p>
--b1--
`, "\n", "\r\n")
	m := parse([]byte(raw))
	if m.ParseErr != nil {
		t.Fatal(m.ParseErr)
	}
	if m.Subject != "Réservation validée!" || m.From.Name != "Commune de Malemort" || m.To[0].Address != "p@example.fr" {
		t.Errorf("headers: %q %+v %+v", m.Subject, m.From, m.To)
	}
	if m.Text != "Demande validée" || m.HTML != "<p>Demande validée</p>\r\n" && m.HTML != "<p>Demande validée</p>" {
		t.Errorf("parts: text %q html %q", m.Text, m.HTML)
	}
	if m.Date.IsZero() || m.MessageID != "<x@example.org>" {
		t.Errorf("date %v id %q", m.Date, m.MessageID)
	}
}
