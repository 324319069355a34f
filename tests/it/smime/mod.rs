//! S/MIME: the corpus samples with their recorded OpenSSL outcomes, our own cases, a
//! matrix generated with the `openssl` CLI at test time, and the wiring into import, the
//! store and the decision engine.

mod cases;
mod corpus;
mod matrix;
mod wiring;

use regmail::smime::{self, Layer, ReasonCode, SmimeReport, TrustStore};

/// What one layer of a result is expected to show.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// A signed layer whose signers are all `intact` and `trusted`, each naming `codes`.
    Signed {
        intact: bool,
        trusted: bool,
        codes: &'static [ReasonCode],
    },
    /// A signed layer that is malformed as a whole.
    SignedMalformed,
    /// An encrypted layer, decrypted or failed with `code`.
    Encrypted {
        decrypted: bool,
        code: Option<ReasonCode>,
    },
}

/// Shorthand for an intact, trusted signed layer with no reasons.
pub const GOOD: Expect = Expect::Signed {
    intact: true,
    trusted: true,
    codes: &[],
};

/// Shorthand for a decrypted layer.
pub const OPENED: Expect = Expect::Encrypted {
    decrypted: true,
    code: None,
};

/// Checks every layer of `report` against `expected`, naming `case` in each assertion.
pub fn assert_layers(case: &str, report: &SmimeReport, expected: &[Expect]) {
    assert_eq!(
        report.layers.len(),
        expected.len(),
        "{case}: number of layers in {:#?}",
        report.layers
    );
    for (index, (layer, expected)) in report.layers.iter().zip(expected).enumerate() {
        match (layer, expected) {
            (
                Layer::Signed(signed),
                Expect::Signed {
                    intact,
                    trusted,
                    codes,
                },
            ) => {
                assert!(
                    signed.reasons.is_empty(),
                    "{case}: layer {index} reasons {:?}",
                    signed.reasons
                );
                assert!(
                    !signed.signers.is_empty(),
                    "{case}: layer {index} has signers"
                );
                for signer in &signed.signers {
                    assert_eq!(
                        signer.intact, *intact,
                        "{case}: layer {index} intact; reasons {:?}",
                        signer.reasons
                    );
                    assert_eq!(
                        signer.trusted, *trusted,
                        "{case}: layer {index} trusted; reasons {:?}",
                        signer.reasons
                    );
                    let found: Vec<ReasonCode> = signer.reasons.iter().map(|r| r.code).collect();
                    for code in *codes {
                        assert!(
                            found.contains(code),
                            "{case}: layer {index} names {code:?}; found {found:?}"
                        );
                    }
                    if codes.is_empty() && *intact && *trusted {
                        assert!(
                            found.is_empty(),
                            "{case}: layer {index} has no reasons; found {found:?}"
                        );
                    }
                }
            }
            (Layer::Signed(signed), Expect::SignedMalformed) => {
                let found: Vec<ReasonCode> = signed.reasons.iter().map(|r| r.code).collect();
                assert_eq!(
                    found,
                    vec![ReasonCode::Malformed],
                    "{case}: layer {index} is malformed"
                );
            }
            (Layer::Encrypted(encrypted), Expect::Encrypted { decrypted, code }) => {
                assert_eq!(
                    encrypted.decrypted, *decrypted,
                    "{case}: layer {index} decrypted; reasons {:?}",
                    encrypted.reasons
                );
                if let Some(code) = code {
                    let found: Vec<ReasonCode> = encrypted.reasons.iter().map(|r| r.code).collect();
                    assert!(
                        found.contains(code),
                        "{case}: layer {index} names {code:?}; found {found:?}"
                    );
                }
            }
            (layer, expected) => {
                panic!("{case}: layer {index} is {layer:?}, expected {expected:?}")
            }
        }
    }
}

/// Reads a trust store from certificate and CRL files: `anchors` as anchors, `others` as
/// intermediates and CRLs.
pub fn trust_from(anchors: &[std::path::PathBuf], others: &[std::path::PathBuf]) -> TrustStore {
    let mut trust = TrustStore::default();
    for path in anchors {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        trust.add_anchors(smime::read_bundle(&bytes).expect("anchor file"));
    }
    for path in others {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let bundle = smime::read_bundle(&bytes).expect("certificate or CRL file");
        trust.certs.extend(bundle.certs);
        trust.crls.extend(bundle.crls);
    }
    trust
}

/// Parses an RFC 3339 time.
pub fn at(text: &str) -> jiff::Timestamp {
    text.parse().expect("RFC 3339 time")
}
