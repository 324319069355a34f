//! Detection of digital signatures in PDF letters (SOPP 8119 V.C.5).
//!
//! CBER letters are signed and locked with the PIV badge before they are issued
//! (SOPP 8116). A signed PDF carries a signature dictionary (`/Type /Sig`) with the byte
//! ranges it covers (`/ByteRange`). A locked one also carries a document modification
//! detection permission (`/DocMDP`) or a field lock (`/Lock`).
//!
//! NOTE: this reads the PDF's syntax only. It does not verify the signature, and it does
//! not check that the signing certificate is a PIV certificate.

use memchr::memmem;

/// The signature evidence in a PDF's syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PdfSignature {
    /// Whether the bytes are a PDF at all.
    pub is_pdf: bool,
    /// Whether it has a signature dictionary with byte ranges.
    pub signed: bool,
    /// Whether it also carries a modification permission or a lock.
    pub locked: bool,
}

/// Returns what the syntax of `bytes` shows about a PDF signature.
pub fn signature(bytes: &[u8]) -> PdfSignature {
    let start = &bytes[..bytes.len().min(1024)];
    let is_pdf = memmem::find(start, b"%PDF-").is_some();
    if !is_pdf {
        return PdfSignature::default();
    }
    let has = |needle: &[u8]| memmem::find(bytes, needle).is_some();
    let signature_type = has(b"/Type /Sig") || has(b"/Type/Sig");
    let signed = has(b"/ByteRange") && (signature_type || has(b"/SubFilter"));
    let locked = signed && (has(b"/DocMDP") || has(b"/Lock"));
    PdfSignature {
        is_pdf,
        signed,
        locked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_and_locked_pdf_is_recognized() {
        let pdf = b"%PDF-1.7\n1 0 obj << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Reference [<< /TransformMethod /DocMDP >>] >> endobj\n";
        assert_eq!(
            signature(pdf),
            PdfSignature {
                is_pdf: true,
                signed: true,
                locked: true
            }
        );
    }

    #[test]
    fn unsigned_pdf_and_other_files_are_not_signed() {
        assert_eq!(
            signature(b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n"),
            PdfSignature {
                is_pdf: true,
                signed: false,
                locked: false
            }
        );
        assert_eq!(signature(b"/Type /Sig /ByteRange"), PdfSignature::default());
    }
}
