//! Fuzzes the CMS reading path: BER normalization, SignedData and EnvelopedData decoding,
//! and the MIME walk over `multipart/signed` and `application/pkcs7-mime`.
//!
//! The input is used twice: as the DER body of an opaque S/MIME entity, and as a whole
//! message. Nothing may panic; every failure must come back as a named reason.

#![no_main]

use libfuzzer_sys::fuzz_target;
use regmail::smime::{self, Options, TrustStore};

fuzz_target!(|data: &[u8]| {
    let trust = TrustStore::default();
    let options = Options {
        trust: &trust,
        keys: &[],
        at: jiff::Timestamp::UNIX_EPOCH,
    };

    let _ = smime::ber::normalize(data);
    if let Ok(der) = smime::ber::normalize(data) {
        let _ = smime::verify::signed_data_parts(&der);
    }

    let mut entity = b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\
Content-Transfer-Encoding: binary\r\n\r\n"
        .to_vec();
    entity.extend_from_slice(data);
    let _ = smime::process(&entity, &options);
    let _ = smime::process(data, &options);
});
