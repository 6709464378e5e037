package absences

import "bytes"

// MaxCertificateSize is the largest certificate accepted (a phone photo
// or a scanned PDF).
const MaxCertificateSize = 5 << 20

// Certificate types, by their first bytes.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// SniffCertificate returns the type of a certificate's content read from
// its first bytes (never from its name or the browser's claim), or "" for
// anything but a PDF, a JPEG or a PNG.
func SniffCertificate(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(data, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}):
		return TypePNG
	}
	return ""
}

// CheckCertificate says in French what is wrong with an upload of size
// bytes whose first bytes are data, or "" when it is acceptable.
func CheckCertificate(data []byte, size int64) string {
	switch {
	case size <= 0:
		return "Le fichier du certificat est vide."
	case size > MaxCertificateSize:
		return "Le certificat dépasse 5 Mo : envoyez une photo moins lourde ou un PDF plus léger."
	case SniffCertificate(data) == "":
		return "Le certificat doit être un PDF ou une photo JPEG ou PNG (le contenu du fichier a été vérifié, pas seulement son nom)."
	}
	return ""
}

// Extension is the file extension of a certificate type.
func Extension(contentType string) string {
	switch contentType {
	case TypePDF:
		return ".pdf"
	case TypePNG:
		return ".png"
	}
	return ".jpg"
}
